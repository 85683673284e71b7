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

/** Sends what is buffered and forgets the clients (tests, process end). */
export async function shutdownAppInsights(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map(async (c) => (await c).shutdown()));
}
