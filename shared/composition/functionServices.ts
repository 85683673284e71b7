import type { InvocationContext } from '@azure/functions';
import { contextLogger } from '../adapters/functions/contextLogger';
import { createRedactor, type Redactor } from '../adapters/logging/redact';
import { loadConfig, type AppConfig } from '../config/loadConfig';
import { SETTINGS } from '../config/settings';
import type { Logger } from '../ports/logger';
import type { Telemetry } from '../ports/telemetry';
import { createKeptCheckServices, loadWatchedConfig, secretsOf, type KeptCheckServices, type ServiceOptions } from './createServices';
import type { Clock } from '../ports/clock';
import { createTenantAccess, type TenantAccess } from './tenantAccess';

interface ProcessServices {
  fingerprint: readonly (string | undefined)[];
  config: AppConfig;
  redact: Redactor;
  access: Promise<TenantAccess>;
  kept?: Promise<KeptCheckServices>;
}

/**
 * What an HTTP function needs per invocation. The Functions build it from the app settings
 * (`functionServices`); `apns-monitor serve` builds it from the CLI's settings and state file, so the
 * same handlers run in both.
 */
export interface FunctionServices {
  config: AppConfig;
  logger: Logger;
  /** The sign-ins (one per tenant, tokens reused across invocations of this process). */
  access: Promise<TenantAccess>;
  /** CLI only: state in this JSON file instead of Table Storage. */
  stateFile?: string;
  /** The demo only: its simulated instant (the Functions use the system clock). */
  clock?: Clock;
}

/** What the check functions get besides: the store, channels and telemetry this process keeps. */
export interface CheckFunctionServices extends FunctionServices {
  kept(): Promise<KeptCheckServices>;
}

export type ServicesFor = (context: InvocationContext) => FunctionServices;

let cached: ProcessServices | undefined;

// The settings and the identity endpoint decide what gets built; tests change them between cases.
// Compared value by value, not serialised: a fleet's APNS_TENANTS (~50 KB for 1,000 tenants) made
// JSON.stringify of every setting cost ~0.1 ms of each queue message.
function fingerprint(env: NodeJS.ProcessEnv): (string | undefined)[] {
  // A route's settings (APNS_ROUTE_<R>_…) are a family: their names are whatever is set.
  const routes = Object.keys(env).filter((n) => n.startsWith('APNS_ROUTE_')).sort();
  const names = [...SETTINGS.map((s) => s.name), ...routes, 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'AZURE_CLIENT_SECRET'];
  // The routes' names too: another route with the same values is another configuration.
  return [routes.join(','), ...names.map((n) => env[n])];
}

function sameFingerprint(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * What a Function invocation needs: the config (validated once per process and settings), the
 * credential (one per process, so its token cache is reused across invocations) and a redacting
 * logger bound to this invocation. A bad config throws the ConfigError with every field named.
 */
export function functionServices(context: InvocationContext, env: NodeJS.ProcessEnv = process.env): CheckFunctionServices {
  const key = fingerprint(env);
  if (!cached || !sameFingerprint(cached.fingerprint, key)) {
    const config = loadConfig(env);
    const access = createTenantAccess(config, { env });
    // A failed creation is retried by the next invocation, not cached forever.
    access.catch(() => {
      if (cached?.access === access) cached = undefined;
    });
    cached = { fingerprint: key, config, redact: createRedactor(secretsOf(config)), access };
  }
  const current = cached;
  return {
    config: current.config,
    logger: contextLogger(context, current.redact),
    access: current.access,
    kept() {
      if (!current.kept) {
        const kept = current.access.then((access) => createKeptCheckServices(current.config, access));
        // Like the sign-ins: a failed creation is retried by the next invocation.
        kept.catch(() => {
          if (current.kept === kept) delete current.kept;
        });
        current.kept = kept;
      }
      return current.kept;
    },
  };
}

// A warm instance's telemetry leaves in one export per second at most, not one (two posts) per
// invocation, and no invocation waits for it: loading `applicationinsights` (~0.5 s) and exporting
// happen after the check. Flex Consumption does not freeze an instance between invocations, so the
// timer runs; when the platform stops an instance gracefully (scale-in), the worker's `appTerminate`
// hook sends what is left (`flushFunctionTelemetry`). What a forced stop can lose is at most this
// last second's heartbeat and metrics: every alert also went to its channels and is in the state.
/** How long telemetry waits for others to leave with it (tests widen it to look between exports). */
export const telemetryFlushWindow = { ms: 1000 };
const due = new Set<Telemetry>();
let flushTimer: NodeJS.Timeout | undefined;

/** Exports this invocation's telemetry with the others of the next second (not awaited). */
export function flushSoon(telemetry: Telemetry): void {
  due.add(telemetry);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    // After the invocations ended, so not through their context: the worker forwards the console to the host's log.
    flushFunctionTelemetry().catch((error: unknown) => console.warn(`Application Insights: the telemetry of the last second could not be sent (${(error as Error)?.name ?? 'error'}).`));
  }, telemetryFlushWindow.ms);
  // The worker's own connection keeps the process alive; this timer must not keep a test or a CLI run alive.
  flushTimer.unref();
}

/** Exports every telemetry waiting for `flushSoon`'s timer, now (graceful shutdown, tests, benchmarks). */
export async function flushFunctionTelemetry(): Promise<void> {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  const all = [...due];
  due.clear();
  await Promise.all(all.map((t) => t.flush()));
}

/** A logger for failures before the config loaded (its secrets are unknown: patterns only). */
export function fallbackLogger(context: InvocationContext): Logger {
  return contextLogger(context, createRedactor());
}

/** What a use case's services are made from in a function: its logger, the tenants' sign-in, the state file and clock a test gives. */
export async function serviceOptionsOf(services: FunctionServices): Promise<ServiceOptions> {
  return {
    logger: services.logger,
    access: await services.access,
    ...(services.stateFile ? { stateFile: services.stateFile } : {}),
    ...(services.clock ? { clock: services.clock } : {}),
  };
}

/** The invocation's configuration with the fleet's registry read now (see `withRegisteredTenants`). */
export async function watchedConfigOf(services: FunctionServices): Promise<AppConfig> {
  return loadWatchedConfig(services.config, (await services.access).home, services.stateFile);
}
