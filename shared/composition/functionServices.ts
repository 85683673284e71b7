import type { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { contextLogger } from '../adapters/functions/contextLogger';
import { createRedactor, type Redactor } from '../adapters/logging/redact';
import { loadConfig, type AppConfig } from '../config/loadConfig';
import { SETTINGS } from '../config/settings';
import type { Logger } from '../ports/logger';
import { createCredential, secretsOf } from './createServices';

interface ProcessServices {
  fingerprint: string;
  config: AppConfig;
  redact: Redactor;
  credential: Promise<TokenCredential>;
}

let cached: ProcessServices | undefined;

// The settings and the identity endpoint decide what gets built; tests change them between cases.
function fingerprint(env: NodeJS.ProcessEnv): string {
  const names = [...SETTINGS.map((s) => s.name), 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT'];
  return JSON.stringify(names.map((n) => env[n] ?? null));
}

/**
 * What a Function invocation needs: the config (validated once per process and settings), the
 * credential (one per process, so its token cache is reused across invocations) and a redacting
 * logger bound to this invocation. A bad config throws the ConfigError with every field named.
 */
export function functionServices(context: InvocationContext, env: NodeJS.ProcessEnv = process.env): {
  config: AppConfig;
  logger: Logger;
  credential: Promise<TokenCredential>;
} {
  const key = fingerprint(env);
  if (!cached || cached.fingerprint !== key) {
    const config = loadConfig(env);
    cached = { fingerprint: key, config, redact: createRedactor(secretsOf(config)), credential: createCredential() };
  }
  return { config: cached.config, logger: contextLogger(context, cached.redact), credential: cached.credential };
}

/** A logger for failures before the config loaded (its secrets are unknown: patterns only). */
export function fallbackLogger(context: InvocationContext): Logger {
  return contextLogger(context, createRedactor());
}
