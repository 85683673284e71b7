import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TelemetryClient } from 'applicationinsights';

/**
 * One Application Insights client per connection string, loaded on first use: importing
 * `applicationinsights` costs about a second, so a run without a connection string never does.
 * `useGlobalProviders: false` keeps it to what we send: no auto-collection, no patched globals.
 */
const clients = new Map<string, Promise<TelemetryClient>>();

export function appInsightsClient(connectionString: string): Promise<TelemetryClient> {
  let client = clients.get(connectionString);
  if (!client) {
    client = import('applicationinsights').then(({ TelemetryClient: Client }) => {
      const c = new Client(connectionString, { useGlobalProviders: false });
      c.context.tags[c.context.keys.cloudRole] = 'intune-apns-monitor';
      return c;
    });
    clients.set(connectionString, client);
  }
  return client;
}

/** Sends what is buffered, forgets the clients and stops the SDK's own background poll (tests, process end). */
export async function shutdownAppInsights(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map(async (c) => (await c).shutdown()));
  if (all.length > 0) await stopSdkSettingsPoll();
}

interface SettingsPoll {
  getInstance(): { shutdown(): void };
}

/**
 * The exporter under `applicationinsights` (`@azure/monitor-opentelemetry-exporter` 1.0.0-beta.47)
 * polls Microsoft's SDK settings service ("OneSettings", settings.sdk.monitor.azure.com) 5–15 s after
 * the first client and every 30 minutes after, and a client's `shutdown` does not stop it. Where that
 * host cannot be reached, each failed poll leaves the HTTP client's 10 s request timer running (it is
 * cleared only on an answer), which held a finished CLI run, and Jest's workers, open for up to 10 s.
 * Its own singleton's `shutdown` stops the poll; it is internal, so it is found by its file, and a
 * later exporter without it is left as it is.
 */
async function stopSdkSettingsPoll(): Promise<void> {
  let exporter: string;
  try {
    exporter = createRequire(require.resolve('applicationinsights')).resolve('@azure/monitor-opentelemetry-exporter');
  } catch {
    return; // not installed beside applicationinsights: no poll to stop
  }
  const file = join(dirname(exporter), '_configuration', 'configurationManager.js');
  if (!existsSync(file)) return;
  const { ConfigurationManager } = (await import(file)) as { ConfigurationManager?: SettingsPoll };
  ConfigurationManager?.getInstance().shutdown();
}
