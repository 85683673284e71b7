import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { findTenant, type AppConfig, type TenantRef } from '../config/loadConfig';
import { AppError } from '../domain/errors';
import type { ChannelPolicy } from '../domain/channels';
import { systemClock, type Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/stateStore';
import { noTelemetry, type Telemetry } from '../ports/telemetry';
import type { CheckDeps, CheckOptions, CheckReport } from '../useCases/checkExpiry';
import type { CheckTenant } from '../useCases/checkFleet';
import type { FleetOutcome } from '../domain/assessFleet';
import type { AuditLog } from '../ports/auditLog';
import type { RenewalLock } from '../ports/renewalLock';
import type { RenewedCertificateSource } from '../ports/renewedCertificateSource';
import type { RenewDeps, RenewOptions } from '../useCases/renewCertificate';
import type { FleetStatusView } from '../useCases/getStatus';
import type { TenantCheckQueue } from '../ports/tenantCheckQueue';
import { createTenantAccess, type DeviceCodeSignIn, type TenantAccess, type TenantSignIn } from './tenantAccess';

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
  /**
   * A fleet run over most of the tenants: Table Storage is read in one query for all of them
   * (`preloadedStateStore`) instead of a request per tenant. The state file is read once anyway.
   */
  preloadState?: boolean;
  clock?: Clock;
  /** Reuse the sign-ins (and their tokens) across invocations: the Functions keep one per process. */
  access?: TenantAccess;
  /** The store, channels and telemetry a Functions process keeps across invocations. */
  kept?: KeptCheckServices;
  /** A person signs in with a device code (`apns-monitor login`, `--device-code`). */
  deviceCode?: DeviceCodeSignIn;
  /** The environment the credentials read (default process.env): hints follow the credential in use. */
  env?: Readonly<Record<string, string | undefined>>;
  sleep?: (ms: number) => Promise<void>;
  /**
   * A forecast (`check --now`): evaluated as if on another day, so nothing may leave the process — no
   * channel, and no telemetry either (a forecast's heartbeat and days left would fire or silence the
   * real Azure Monitor rules). Neither the channels nor Application Insights are even loaded.
   */
  forecast?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function accessOf(config: AppConfig, options: ServiceOptions): Promise<TenantAccess> {
  return options.access ?? createTenantAccess(config, { env: options.env ?? process.env, ...(options.deviceCode ? { deviceCode: options.deviceCode } : {}) });
}

/** The Graph gateway for one tenant, signed in as `signIn` says (its token shared by every caller). */
export async function createGateway(config: AppConfig, signIn: TenantSignIn, logger: Logger, sleep = realSleep): Promise<IntuneGateway> {
  const { createGraphGateway } = await import('../adapters/graph/graphGateway');
  return createGraphGateway({
    baseUrl: config.graph.baseUrl,
    credential: signIn.credential,
    scopes: signIn.scopes,
    auth: signIn.auth,
    maxRetryMs: config.graph.maxRetryMs,
    timeoutMs: config.http.timeoutMs,
    logger,
    sleep,
  });
}

export async function createStateStore(config: AppConfig, credential: TokenCredential, stateFile?: string): Promise<StateStore> {
  if (stateFile) {
    const { createFileStateStore } = await import('../adapters/state/fileStateStore');
    return createFileStateStore(stateFile);
  }
  const { createTableStateStore } = await import('../adapters/state/tableStateStore');
  return createTableStateStore(tableOptions(config, credential));
}

function tableOptions(config: AppConfig, credential: TokenCredential) {
  if (!config.state.connection) {
    throw new AppError('config_invalid', 'No state storage is configured: set AzureWebJobsStorage (or APNS_STATE_CONNECTION), or give the CLI --state-file.');
  }
  return { connection: config.state.connection, table: config.state.table, credential, timeoutMs: config.http.timeoutMs };
}

/**
 * The channels switched on by configuration, the run's log always first. Each loads on demand.
 * Messages name the tenant from each event (a fleet sends for many tenants through one set).
 */
export async function createNotifiers(config: AppConfig, logger: Logger, credential?: TokenCredential): Promise<Notifier[]> {
  const [{ createLogNotifier }, channels] = await Promise.all([import('../adapters/notifiers/logNotifier'), createChannelNotifiers(config, credential)]);
  return [createLogNotifier(logger), ...channels];
}

/** The configured channels other than the run's log (which is per run: it writes to the run's logger). */
async function createChannelNotifiers(config: AppConfig, credential?: TokenCredential): Promise<Notifier[]> {
  const c = config.channels;
  const timeoutMs = config.http.timeoutMs;
  const notifiers: Notifier[] = [];
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
    notifiers.push(createAppInsightsNotifier(() => appInsightsClient(connectionString), connectionString));
  }
  return notifiers;
}

/**
 * Application Insights only when its connection string is set: otherwise nothing is loaded. Even
 * then the SDK itself (~0.5 s to load) is loaded once a run is tracked, after the check.
 */
export async function createTelemetry(config: AppConfig): Promise<Telemetry> {
  if (!config.appInsights) return noTelemetry;
  const { appInsightsClient } = await import('../adapters/notifiers/appinsights/appInsightsClient');
  const { createAppInsightsTelemetry } = await import('../adapters/notifiers/appinsights/appInsightsTelemetry');
  const { connectionString } = config.appInsights;
  return createAppInsightsTelemetry(() => appInsightsClient(connectionString));
}

/**
 * What a Functions process keeps from one check invocation to the next (SPEC §11: a warm instance
 * checks message after message): the state store (one client, its table created once, not per
 * message), the channels and Application Insights. Each invocation adds its own log channel.
 */
export interface KeptCheckServices {
  store: StateStore;
  channels: Notifier[];
  telemetry: Telemetry;
}

export async function createKeptCheckServices(config: AppConfig, access: TenantAccess): Promise<KeptCheckServices> {
  const [store, channels, telemetry] = await Promise.all([createStateStore(config, access.home), createChannelNotifiers(config, access.home), createTelemetry(config)]);
  return { store, channels, telemetry };
}

/** What every tenant's check shares, built once per run: the sign-ins, the state, the channels. */
export interface SharedCheckServices {
  access: TenantAccess;
  store: StateStore;
  notifiers: Notifier[];
  telemetry: Telemetry;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}

export async function createSharedCheckServices(config: AppConfig, options: ServiceOptions): Promise<SharedCheckServices> {
  const access = await accessOf(config, options);
  const common = { access, clock: options.clock ?? systemClock, logger: options.logger, sleep: options.sleep ?? realSleep };
  if (options.kept) {
    const { createLogNotifier } = await import('../adapters/notifiers/logNotifier');
    const { store, channels, telemetry } = options.kept;
    return { ...common, store, notifiers: [createLogNotifier(options.alertLogger ?? options.logger), ...channels], telemetry };
  }
  const [store, notifiers, telemetry] = await Promise.all([
    createStateStore(config, access.home, options.stateFile).then(async (store) =>
      options.preloadState && !options.stateFile ? (await import('../adapters/state/preloadedStateStore')).preloadedStateStore(store) : store,
    ),
    // E-mail goes out from the home tenant's mailbox, with the home credential.
    options.forecast ? [] : createNotifiers(config, options.alertLogger ?? options.logger, access.home),
    options.forecast ? noTelemetry : createTelemetry(config),
  ]);
  return { ...common, store, notifiers, telemetry };
}

/** One tenant's check: its own Graph sign-in; everything else shared. */
export async function checkDepsFor(config: AppConfig, shared: SharedCheckServices, tenant: TenantRef, logger: Logger = shared.logger): Promise<CheckDeps> {
  const gateway = await createGateway(config, shared.access.forTenant(tenant), logger, shared.sleep);
  return { gateway, store: shared.store, notifiers: shared.notifiers, telemetry: shared.telemetry, clock: shared.clock, logger, newId: randomUUID, sleep: shared.sleep };
}

export async function createCheckDeps(config: AppConfig, options: ServiceOptions, tenant: TenantRef = config.tenant): Promise<CheckDeps> {
  return checkDepsFor(config, await createSharedCheckServices(config, options), tenant);
}

/** One tenant's check as a fleet run makes it (CLI, demo): its own sign-in, everything else shared. */
export function fleetTenantCheck(config: AppConfig, shared: SharedCheckServices, overrides: Partial<CheckOptions> = {}, loggerFor?: (tenant: TenantRef) => Logger): CheckTenant {
  return async (tenant, { deferSharedCause }) => {
    const { checkExpiry } = await import('../useCases/checkExpiry');
    const deps = await checkDepsFor(config, shared, tenant, loggerFor?.(tenant) ?? shared.logger);
    return checkExpiry(deps, checkOptionsFor(config, tenant, { ...overrides, deferSharedCause }));
  };
}

/**
 * The fleet's one alert for a cause every tenant shares (SPEC §15), raised or resolved with the
 * shared channels and state, keyed on the home tenant.
 */
export function fleetHealthReport(config: AppConfig, shared: SharedCheckServices, overrides: Partial<CheckOptions> = {}): (outcome: FleetOutcome) => Promise<CheckReport | undefined> {
  return async (outcome) => {
    const { reportFleetHealth } = await import('../useCases/reportFleetHealth');
    const deps = { store: shared.store, notifiers: shared.notifiers, clock: shared.clock, logger: shared.logger, newId: randomUUID, sleep: shared.sleep };
    return reportFleetHealth(deps, checkOptionsFor(config, config.tenant, overrides), outcome);
  };
}

/**
 * A claimed delivery keeps other runs away for longer than this run can take to deliver it: every
 * try timing out, plus the whole wait budget, plus a minute. Shorter than that risks a double send;
 * much longer holds an alert back from the platform's retry of a run that died.
 */
export function claimLeaseMs(config: AppConfig): number {
  return config.delivery.attempts * config.http.timeoutMs + config.graph.maxRetryMs + 60_000;
}

export function checkOptionsFrom(config: AppConfig, overrides: Partial<CheckOptions> = {}): CheckOptions {
  return checkOptionsFor(config, config.tenant, overrides);
}

export function checkOptionsFor(config: AppConfig, tenant: TenantRef, overrides: Partial<CheckOptions> = {}): CheckOptions {
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    kinds: config.monitoredKinds,
    policy: config.policy,
    notify: true,
    deliveryAttempts: config.delivery.attempts,
    deliveryMaxWaitMs: config.graph.maxRetryMs,
    claimLeaseMs: claimLeaseMs(config),
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
    const [{ createFileRenewalLock }, { createFileAuditLog }] = await Promise.all([import('../adapters/state/fileRenewalLock'), import('../adapters/state/fileAuditLog')]);
    return { lock: createFileRenewalLock(stateFile), audit: createFileAuditLog(stateFile) };
  }
  const { createTableRenewalLock, createTableAuditLog } = await import('../adapters/state/tableRenewalLock');
  const options = tableOptions(config, credential);
  return { lock: createTableRenewalLock(options), audit: createTableAuditLog(options) };
}

export async function createCertificateSource(config: AppConfig, credential: TokenCredential): Promise<RenewedCertificateSource> {
  if (!config.renewal.keyVaultUrl) {
    throw new AppError('config_invalid', 'APNS_KEY_VAULT_URL: is required for the renewal (the Key Vault holding the renewed certificate).');
  }
  // Key Vault's SDK is loaded only on the renewal path.
  const { createKeyVaultCertificateSource } = await import('../adapters/keyVault/keyVaultCertificateSource');
  const { requestTimeoutPolicy } = await import('../adapters/http/requestTimeout');
  return createKeyVaultCertificateSource({ vaultUrl: config.renewal.keyVaultUrl, credential, clientOptions: { additionalPolicies: [requestTimeoutPolicy(config.http.timeoutMs)] } });
}

/**
 * The tenant a renewal or CSR is for: `--tenant` / `tenantId` when given (it must be one of the
 * watched tenants), else the only one. In a fleet of several, naming it is required, and this
 * refusal comes before anything is read.
 */
export function tenantFor(config: AppConfig, requested: string | undefined, what: string, flag: string, code: 'invalid_request' | 'cli_usage' = 'invalid_request'): TenantRef {
  if (requested !== undefined) {
    const found = findTenant(config, requested);
    if (!found) throw new AppError(code, `${what}: tenant ${requested.slice(0, 64)} is not one of the watched tenants (${config.tenants.map((t) => t.id).join(', ')}).`);
    return found;
  }
  if (config.tenants.length > 1) {
    throw new AppError(code, `${what}: this deployment watches ${config.tenants.length} tenants; say which with ${flag}. Nothing was read or uploaded.`);
  }
  return config.tenants[0] ?? config.tenant;
}

/** The renewal options for a tenant: in a fleet each tenant's renewed certificate is its own secret. */
export function renewOptionsFor(config: AppConfig, tenant: TenantRef, caller: { actor: string; via: 'http' | 'cli'; correlationId: string }): RenewOptions {
  const prefix = config.renewal.secretName;
  const own = `${prefix}-${tenant.id}`;
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    defaultSecretName: config.fleet ? own : prefix,
    secretPrefix: prefix,
    ...(config.fleet ? { tenantSecretName: own } : {}),
    ...caller,
  };
}

/** `renew --file`: the certificate on disk, and how to get a protected .p12's password when it needs one. */
export interface CertificateFile {
  path: string;
  password?: () => Promise<string | undefined>;
}

export async function createRenewDeps(config: AppConfig, options: ServiceOptions & { certificateFile?: CertificateFile }, tenant: TenantRef = config.tenant): Promise<RenewDeps> {
  const access = await accessOf(config, options);
  const sleep = options.sleep ?? realSleep;
  const file = options.certificateFile;
  const source = file
    ? import('../adapters/certificates/fileCertificateSource').then((m) => m.createFileCertificateSource(file.path, file.password ? { password: file.password } : {}))
    : createCertificateSource(config, access.home);
  const [gateway, certificateSource, storage, { parseCertificateValue }] = await Promise.all([
    createGateway(config, access.forTenant(tenant), options.logger, sleep),
    source,
    createRenewalStorage(config, access.home, options.stateFile),
    import('../adapters/certificates/parseCertificateValue'),
  ]);
  const { checkExpiry } = await import('../useCases/checkExpiry');
  return {
    gateway,
    source: certificateSource,
    parseCertificate: parseCertificateValue,
    lock: storage.lock,
    audit: storage.audit,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    newId: randomUUID,
    async runCheck(extraEvents) {
      const deps = await createCheckDeps(config, { ...options, access }, tenant);
      try {
        return await checkExpiry(deps, checkOptionsFor(config, tenant, { extraEvents }));
      } finally {
        await deps.telemetry.flush();
        await deps.store.close();
      }
    },
  };
}

export async function createCsrGateway(config: AppConfig, options: ServiceOptions, tenant: TenantRef = config.tenant): Promise<IntuneGateway> {
  const access = await accessOf(config, options);
  return createGateway(config, access.forTenant(tenant), options.logger, options.sleep ?? realSleep);
}

/**
 * Every watched tenant's status from stored state only (no Graph call): what the status page and
 * `GET /api/apns/status` show.
 */
export async function loadFleetStatus(config: AppConfig, credential: TokenCredential, stateFile?: string, clock: Clock = systemClock): Promise<FleetStatusView> {
  const [store, { audit }] = await Promise.all([createStateStore(config, credential, stateFile), createRenewalStorage(config, credential, stateFile)]);
  const { getFleetStatus } = await import('../useCases/getStatus');
  const tenants = await getFleetStatus(store, config.tenants, audit);
  return { generatedAt: new Date(clock.now()).toISOString(), fleet: config.fleet, homeTenantId: config.tenant.id, tenants };
}

/** The fleet's work queue (`apns-tenant-checks`) in the host storage, reached with the home credential. */
export async function createTenantCheckQueue(config: AppConfig, credential: TokenCredential): Promise<TenantCheckQueue> {
  if (!config.queue.connection) {
    throw new AppError('config_invalid', 'A fleet needs the host storage for its queue: set AzureWebJobsStorage (or AzureWebJobsStorage__accountName with the managed identity).');
  }
  const { createStorageTenantCheckQueue } = await import('../adapters/queue/storageTenantCheckQueue');
  return createStorageTenantCheckQueue({ connection: config.queue.connection, queueName: config.queue.name, credential, timeoutMs: config.http.timeoutMs });
}
