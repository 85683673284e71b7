import type { InvocationContext } from '@azure/functions';
import { contextLogger } from '../adapters/functions/contextLogger';
import { createRedactor, type Redactor } from '../adapters/logging/redact';
import { loadConfig, type AppConfig } from '../config/loadConfig';
import { SETTINGS } from '../config/settings';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { loadWatchedConfig, secretsOf } from './createServices';
import { createTenantAccess, type TenantAccess } from './tenantAccess';

interface ProcessServices {
  fingerprint: string;
  config: AppConfig;
  redact: Redactor;
  access: Promise<TenantAccess>;
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

export type ServicesFor = (context: InvocationContext) => FunctionServices;

let cached: ProcessServices | undefined;

// The settings and the identity endpoint decide what gets built; tests change them between cases.
function fingerprint(env: NodeJS.ProcessEnv): string {
  // A route's settings (APNS_ROUTE_<R>_…) are a family: their names are whatever is set.
  const routes = Object.keys(env).filter((n) => n.startsWith('APNS_ROUTE_')).sort();
  const names = [...SETTINGS.map((s) => s.name), ...routes, 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'AZURE_CLIENT_SECRET'];
  return JSON.stringify(names.map((n) => env[n] ?? null));
}

/**
 * What a Function invocation needs: the config (validated once per process and settings), the
 * credential (one per process, so its token cache is reused across invocations) and a redacting
 * logger bound to this invocation. A bad config throws the ConfigError with every field named.
 */
export function functionServices(context: InvocationContext, env: NodeJS.ProcessEnv = process.env): FunctionServices {
  const key = fingerprint(env);
  if (!cached || cached.fingerprint !== key) {
    const config = loadConfig(env);
    const access = createTenantAccess(config, { env });
    // A failed creation is retried by the next invocation, not cached forever.
    access.catch(() => {
      if (cached?.access === access) cached = undefined;
    });
    cached = { fingerprint: key, config, redact: createRedactor(secretsOf(config)), access };
  }
  return { config: cached.config, logger: contextLogger(context, cached.redact), access: cached.access };
}

/** The invocation's configuration with the fleet's registry read now (see `withRegisteredTenants`). */
export async function watchedConfigOf(services: FunctionServices): Promise<AppConfig> {
  return loadWatchedConfig(services.config, (await services.access).home, services.stateFile);
}

/** A logger for failures before the config loaded (its secrets are unknown: patterns only). */
export function fallbackLogger(context: InvocationContext): Logger {
  return contextLogger(context, createRedactor());
}
