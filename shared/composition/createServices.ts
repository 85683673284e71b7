import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { AppConfig } from '../config/loadConfig';
import { AppError } from '../domain/errors';
import type { ChannelPolicy } from '../domain/channels';
import { systemClock, type Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/stateStore';
import { noTelemetry, type Telemetry } from '../ports/telemetry';
import type { CheckDeps, CheckOptions } from '../useCases/checkExpiry';
import type { AuditLog } from '../ports/auditLog';
import type { RenewalLock } from '../ports/renewalLock';
import type { RenewedCertificateSource } from '../ports/renewedCertificateSource';
import type { RenewDeps } from '../useCases/renewCertificate';

/**
 * The one place that chooses implementations. Adapters are loaded on first use (`await import`),
 * so a cold start only pays for what its path needs.
 */
export interface ServiceOptions {
  logger: Logger;
  /** Where the `log` channel prints alerts (default: `logger`); the CLI prints them in full to stderr. */
  alertLogger?: Logger;
  /** CLI: keep state in this JSON file instead of Table Storage. */
  stateFile?: string;
  clock?: Clock;
  /** Reuse one credential across invocations (the Functions cache it per process). */
  credential?: TokenCredential;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function createCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  // AZURE_CLIENT_ID selects a user-assigned managed identity; @azure/identity reads it itself.
  return new DefaultAzureCredential();
}

export async function createGateway(config: AppConfig, credential: TokenCredential, logger: Logger, sleep = realSleep): Promise<IntuneGateway> {
  const { createGraphGateway } = await import('../adapters/graph/graphGateway');
  return createGraphGateway({ baseUrl: config.graph.baseUrl, credential, maxRetryMs: config.graph.maxRetryMs, logger, sleep });
}

export async function createStateStore(config: AppConfig, credential: TokenCredential, stateFile?: string): Promise<StateStore> {
  if (stateFile) {
    const { createFileStateStore } = await import('../adapters/state/fileStateStore');
    return createFileStateStore(stateFile);
  }
  if (!config.state.connection) {
    throw new AppError(
      'config_invalid',
      'No state storage is configured: set AzureWebJobsStorage (or APNS_STATE_CONNECTION), or give the CLI --state-file.',
    );
  }
  const { createTableStateStore } = await import('../adapters/state/tableStateStore');
  return createTableStateStore({ connection: config.state.connection, table: config.state.table, credential });
}

/**
 * The channels switched on by configuration, the run's log always first. Each loads on demand.
 * Messages name the tenant from each event (a fleet sends for many tenants through one set).
 */
export async function createNotifiers(config: AppConfig, logger: Logger, credential?: TokenCredential): Promise<Notifier[]> {
  const c = config.channels;
  const timeoutMs = config.http.timeoutMs;
  const { createLogNotifier } = await import('../adapters/notifiers/logNotifier');
  const notifiers: Notifier[] = [createLogNotifier(logger)];
  if (c.teams) notifiers.push((await import('../adapters/notifiers/teams/teamsNotifier')).createTeamsNotifier({ ...c.teams, timeoutMs }));
  if (c.slack) notifiers.push((await import('../adapters/notifiers/slack/slackNotifier')).createSlackNotifier({ ...c.slack, timeoutMs }));
  if (c.email) {
    if (!credential) throw new AppError('config_invalid', 'The e-mail channel needs a credential for Microsoft Graph.');
    const { createGraphClient } = await import('../adapters/graph/createGraphClient');
    const client = createGraphClient({ baseUrl: config.graph.baseUrl, credential });
    notifiers.push((await import('../adapters/notifiers/email/emailNotifier')).createEmailNotifier({ ...c.email, timeoutMs }, client));
  }
  if (c.pagerduty) notifiers.push((await import('../adapters/notifiers/pagerduty/pagerDutyNotifier')).createPagerDutyNotifier({ ...c.pagerduty, timeoutMs }));
  if (c.webhook) notifiers.push((await import('../adapters/notifiers/webhook/webhookNotifier')).createWebhookNotifier({ ...c.webhook, timeoutMs }));
  if (config.appInsights) {
    const { appInsightsClient } = await import('../adapters/notifiers/appinsights/appInsightsClient');
    const { createAppInsightsNotifier } = await import('../adapters/notifiers/appinsights/appInsightsNotifier');
    const { connectionString } = config.appInsights;
    notifiers.push(createAppInsightsNotifier(await appInsightsClient(connectionString), connectionString));
  }
  return notifiers;
}

/** Application Insights only when its connection string is set: otherwise nothing is loaded. */
export async function createTelemetry(config: AppConfig): Promise<Telemetry> {
  if (!config.appInsights) return noTelemetry;
  const { appInsightsClient } = await import('../adapters/notifiers/appinsights/appInsightsClient');
  const { createAppInsightsTelemetry } = await import('../adapters/notifiers/appinsights/appInsightsTelemetry');
  return createAppInsightsTelemetry(await appInsightsClient(config.appInsights.connectionString));
}

export async function createCheckDeps(config: AppConfig, options: ServiceOptions): Promise<CheckDeps> {
  const credential = options.credential ?? (await createCredential());
  const sleep = options.sleep ?? realSleep;
  const [gateway, store, notifiers, telemetry] = await Promise.all([
    createGateway(config, credential, options.logger, sleep),
    createStateStore(config, credential, options.stateFile),
    createNotifiers(config, options.alertLogger ?? options.logger, credential),
    createTelemetry(config),
  ]);
  return { gateway, store, notifiers, telemetry, clock: options.clock ?? systemClock, logger: options.logger, newId: randomUUID, sleep };
}

export function checkOptionsFrom(config: AppConfig, overrides: Partial<CheckOptions> = {}): CheckOptions {
  return {
    tenantId: config.tenant.id,
    tenantName: config.tenant.name,
    kinds: config.monitoredKinds,
    policy: config.policy,
    notify: true,
    deliveryAttempts: config.delivery.attempts,
    ...overrides,
  };
}

export function channelPolicies(notifiers: readonly Notifier[]): ChannelPolicy[] {
  return notifiers.map((n) => ({ name: n.channel, minSeverity: n.minSeverity }));
}

/** Every secret value of the config, for the redactor. */
export function secretsOf(config: AppConfig): string[] {
  const c = config.channels;
  const out = [c.teams?.webhookUrl, c.slack?.webhookUrl, c.pagerduty?.routingKey, c.webhook?.url, c.webhook?.secret, config.appInsights?.connectionString];
  if (config.state.connection?.kind === 'connectionString') out.push(config.state.connection.connectionString);
  return out.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** Renewal storage: the lock and the audit trail live with the state (table, or beside the CLI's file). */
export async function createRenewalStorage(config: AppConfig, credential: TokenCredential, stateFile?: string): Promise<{ lock: RenewalLock; audit: AuditLog }> {
  if (stateFile) {
    const { createFileRenewalLock, createFileAuditLog } = await import('../adapters/state/fileRenewalLock');
    return { lock: createFileRenewalLock(stateFile), audit: createFileAuditLog(stateFile) };
  }
  if (!config.state.connection) {
    throw new AppError('config_invalid', 'No state storage is configured: set AzureWebJobsStorage (or APNS_STATE_CONNECTION), or give the CLI --state-file.');
  }
  const { createTableRenewalLock, createTableAuditLog } = await import('../adapters/state/tableRenewalLock');
  const options = { connection: config.state.connection, table: config.state.table, credential };
  return { lock: createTableRenewalLock(options), audit: createTableAuditLog(options) };
}

export async function createCertificateSource(config: AppConfig, credential: TokenCredential): Promise<RenewedCertificateSource> {
  if (!config.renewal.keyVaultUrl) {
    throw new AppError('config_invalid', 'APNS_KEY_VAULT_URL: is required for the renewal (the Key Vault holding the renewed certificate).');
  }
  // Key Vault's SDK is loaded only on the renewal path.
  const { createKeyVaultCertificateSource } = await import('../adapters/keyVault/keyVaultCertificateSource');
  return createKeyVaultCertificateSource({ vaultUrl: config.renewal.keyVaultUrl, credential });
}

export async function createRenewDeps(config: AppConfig, options: ServiceOptions): Promise<RenewDeps> {
  const credential = options.credential ?? (await createCredential());
  const sleep = options.sleep ?? realSleep;
  const [gateway, source, storage, { parseCertificateValue }] = await Promise.all([
    createGateway(config, credential, options.logger, sleep),
    createCertificateSource(config, credential),
    createRenewalStorage(config, credential, options.stateFile),
    import('../adapters/certificates/parseCertificateValue'),
  ]);
  const { checkExpiry } = await import('../useCases/checkExpiry');
  return {
    gateway,
    source,
    parseCertificate: parseCertificateValue,
    lock: storage.lock,
    audit: storage.audit,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    newId: randomUUID,
    async runCheck(extraEvents) {
      const deps = await createCheckDeps(config, { ...options, credential });
      try {
        return await checkExpiry(deps, checkOptionsFrom(config, { extraEvents }));
      } finally {
        await deps.telemetry.flush();
      }
    },
  };
}

export async function createCsrGateway(config: AppConfig, options: ServiceOptions): Promise<IntuneGateway> {
  const credential = options.credential ?? (await createCredential());
  return createGateway(config, credential, options.logger, options.sleep ?? realSleep);
}
