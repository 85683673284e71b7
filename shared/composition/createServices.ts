import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { findTenant, routesFor, type AppConfig, type ChannelsConfig, type TenantRef } from '../config/loadConfig';
import { routeSettingPrefix } from '../config/settings';
import { AppError, toAppError } from '../domain/errors';
import { systemClock, type Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { PartnerDirectory } from '../ports/partnerDirectory';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/stateStore';
import { noTelemetry, type Telemetry } from '../ports/telemetry';
import type { CheckDeps, CheckOptions, CheckReport } from '../useCases/checkExpiry';
import type { CheckTenant } from '../useCases/checkFleet';
import type { FleetOutcome } from '../domain/assessFleet';
import type { AuditLog, RenewalVia } from '../ports/auditLog';
import type { RenewalLock } from '../ports/renewalLock';
import type { RenewedCertificateSource } from '../ports/renewedCertificateSource';
import type { RenewDeps, RenewOptions } from '../useCases/renewCertificate';
import type { AcknowledgeDeps } from '../useCases/acknowledgeAlert';
import type { ProposalStore } from '../ports/proposalStore';
import type { ProposeDeps } from '../useCases/proposeRenewal';
import type { DecideDeps } from '../useCases/approveRenewal';
import type { FileRecordStore } from '../adapters/state/fileRecordStore';
import type { FleetStatusView } from '../useCases/getStatus';
import type { TenantCheckQueue } from '../ports/tenantCheckQueue';
import type { TenantRegistry } from '../ports/tenantRegistry';
import type { FleetAlertMemory } from '../useCases/reportFleetHealth';
import { watchedTenants, type TenantRegistryRecord } from '../domain/tenantRegistry';
import { adminConsentUrl } from '../adapters/identity/explainers';
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
export async function createGateway(config: AppConfig, signIn: TenantSignIn, logger: Logger, sleep = realSleep): Promise<IntuneGateway & PartnerDirectory> {
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

/** The CLI's state file, or its records already open (shared by the stores one request reads together). */
export type StateFile = string | FileRecordStore;

/** Where a run keeps its state and reads the fleet's registry: Table Storage, or the CLI's state file read once for both. */
export interface StateStorage {
  store: StateStore;
  registry: TenantRegistry;
}

export async function createStateStorage(config: AppConfig, credential: TokenCredential, stateFile?: StateFile): Promise<StateStorage> {
  if (stateFile) {
    const [{ createFileStateStore, openStateFile }, { createFileTenantRegistry }] = await Promise.all([import('../adapters/state/fileStateStore'), import('../adapters/state/fileTenantRegistry')]);
    const records = typeof stateFile === 'string' ? openStateFile(stateFile) : stateFile;
    return { store: createFileStateStore(records), registry: createFileTenantRegistry(records) };
  }
  const [{ createTableStateStore }, { createTableTenantRegistry }] = await Promise.all([import('../adapters/state/tableStateStore'), import('../adapters/state/tableTenantRegistry')]);
  const options = tableOptions(config, credential);
  return { store: createTableStateStore(options), registry: createTableTenantRegistry(options) };
}

export async function createStateStore(config: AppConfig, credential: TokenCredential, stateFile?: StateFile): Promise<StateStore> {
  return (await createStateStorage(config, credential, stateFile)).store;
}

/**
 * The configuration of this run, with the fleet's registry read now: `tenants` is APNS_TENANTS, then
 * the registered tenants (the setting wins for a tenant in both). Read per run, never cached per
 * process, so a tenant added with `apns-monitor tenants add` is watched from the next run on, with no
 * redeploy and no restart (SPEC §15). One tenant (no APNS_TENANTS): the registry is not read.
 */
export async function withRegisteredTenants(config: AppConfig, registry: TenantRegistry): Promise<AppConfig> {
  return (await readRegistered(config, registry)).config;
}

/** The registry record read (undefined when not a fleet: it is not read) and the config it makes. */
async function readRegistered(config: AppConfig, registry: TenantRegistry): Promise<{ config: AppConfig; registry?: TenantRegistryRecord }> {
  if (!config.fleet) return { config };
  const { registry: record } = await registry.load();
  if (record.tenants.length === 0) return { config, registry: record };
  return { config: Object.freeze({ ...config, tenants: Object.freeze(watchedTenants(config.tenants, record)) }), registry: record };
}

/**
 * `withRegisteredTenants` for a monitoring run, which must not go blind because the registry cannot be
 * read (SPEC §3: an unreadable state store never silences alerts): the setting's tenants are still
 * checked, and the registry's failure is returned for the run to report — it fails (exit 3, a failed
 * timer invocation) saying that the registered tenants were not checked.
 */
export async function watchedForRun(config: AppConfig, registry: TenantRegistry): Promise<{ config: AppConfig; registryFailure?: AppError; registry?: TenantRegistryRecord }> {
  try {
    return await readRegistered(config, registry);
  } catch (thrown) {
    const error = toAppError(thrown);
    if (error.code !== 'state_unavailable' && error.code !== 'state_unreadable') throw thrown;
    return { config, registryFailure: new AppError(error.code, `The tenant registry could not be read, so only the tenants of APNS_TENANTS were checked: ${error.message}`, { retriable: error.retriable, ...(error.hint ? { hint: error.hint } : {}), cause: error }) };
  }
}

/** `withRegisteredTenants` for an entry point that needs nothing else from the state (a renewal, a CSR). */
export async function loadWatchedConfig(config: AppConfig, credential: TokenCredential, stateFile?: string): Promise<AppConfig> {
  if (!config.fleet) return config;
  return withRegisteredTenants(config, (await createStateStorage(config, credential, stateFile)).registry);
}

/** A fleet tenant's admin-consent link (SPEC §11), when the fleet's app is known: what fixes "consent missing". */
export function consentUrlOf(config: AppConfig): ((tenantId: string) => string) | undefined {
  const appClientId = config.entra.appClientId;
  if (!config.fleet || !appClientId) return undefined;
  return (tenantId) => adminConsentUrl(config.entra.authorityHost, tenantId, appClientId);
}

/** Renewal proposals (SPEC §16) live with the state: in its table, or in the CLI's state file. */
export async function createProposalStore(config: AppConfig, credential: TokenCredential, stateFile?: StateFile): Promise<ProposalStore> {
  if (stateFile) {
    const [{ openStateFile }, { createFileProposalStore }] = await Promise.all([import('../adapters/state/fileStateStore'), import('../adapters/state/fileProposalStore')]);
    return createFileProposalStore(typeof stateFile === 'string' ? openStateFile(stateFile) : stateFile);
  }
  const { createTableProposalStore } = await import('../adapters/state/tableProposalStore');
  return createTableProposalStore(tableOptions(config, credential));
}

function tableOptions(config: AppConfig, credential: TokenCredential) {
  if (!config.state.connection) {
    throw new AppError('config_invalid', 'No state storage is configured: set AzureWebJobsStorage (or APNS_STATE_CONNECTION), or give the CLI --state-file.');
  }
  return { connection: config.state.connection, table: config.state.table, credential, timeoutMs: config.http.timeoutMs };
}

/**
 * The channels switched on by configuration, the run's log always first, then each customer
 * route's (SPEC §15), each labelled with its route. Each loads on demand. Messages name the tenant
 * from each event (a fleet sends for many tenants through one set); which tenant's messages reach a
 * route is decided by the delivery planning, not here.
 */
export async function createNotifiers(config: AppConfig, logger: Logger, credential?: TokenCredential): Promise<Notifier[]> {
  const [{ createLogNotifier }, channels] = await Promise.all([import('../adapters/notifiers/logNotifier'), createChannelNotifiers(config, credential)]);
  return [createLogNotifier(logger), ...channels];
}

/**
 * The configured channels other than the run's log (which is per run: it writes to the run's
 * logger): the global ones, then each customer route's (SPEC §15), each labelled with its route.
 */
async function createChannelNotifiers(config: AppConfig, credential?: TokenCredential): Promise<Notifier[]> {
  let graphClient: Promise<Client> | undefined;
  // E-mail goes out through Graph from the home tenant's mailbox: one client for every route's.
  const mailClient = () => {
    if (!credential) throw new AppError('config_invalid', 'The e-mail channel needs a credential for Microsoft Graph.');
    const home = credential;
    return (graphClient ??= import('../adapters/graph/createGraphClient').then(({ createGraphClient }) => createGraphClient({ baseUrl: config.graph.baseUrl, credential: home })));
  };
  const notifiers = await channelNotifiers(config.channels, 'APNS_', config.http.timeoutMs, mailClient);
  for (const [route, channels] of Object.entries(config.routes)) {
    for (const notifier of await channelNotifiers(channels, routeSettingPrefix(route), config.http.timeoutMs, mailClient)) notifiers.push({ ...notifier, route });
  }
  if (config.appInsights) {
    const { appInsightsClient } = await import('../adapters/notifiers/appinsights/appInsightsClient');
    const { createAppInsightsNotifier } = await import('../adapters/notifiers/appinsights/appInsightsNotifier');
    const { connectionString } = config.appInsights;
    notifiers.push(createAppInsightsNotifier(() => appInsightsClient(connectionString), connectionString));
  }
  return notifiers;
}

/** The notifiers of one set of channel settings (the global ones, or a route's under `settingPrefix`). */
async function channelNotifiers(c: ChannelsConfig, settingPrefix: string, timeoutMs: number, mailClient: () => Promise<Client>): Promise<Notifier[]> {
  const notifiers: Notifier[] = [];
  const common = { timeoutMs, settingPrefix };
  if (c.teams) notifiers.push((await import('../adapters/notifiers/teams/teamsNotifier')).createTeamsNotifier({ ...c.teams, ...common }));
  if (c.slack) notifiers.push((await import('../adapters/notifiers/slack/slackNotifier')).createSlackNotifier({ ...c.slack, ...common }));
  if (c.email) notifiers.push((await import('../adapters/notifiers/email/emailNotifier')).createEmailNotifier({ ...c.email, ...common }, await mailClient()));
  if (c.pagerduty) notifiers.push((await import('../adapters/notifiers/pagerduty/pagerDutyNotifier')).createPagerDutyNotifier({ ...c.pagerduty, ...common }));
  if (c.webhook) notifiers.push((await import('../adapters/notifiers/webhook/webhookNotifier')).createWebhookNotifier({ ...c.webhook, ...common }));
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
export interface KeptCheckServices extends StateStorage {
  channels: Notifier[];
  telemetry: Telemetry;
  /** That this process found the fleet's alert closed (one look per window, not one per message). */
  fleetAlert: FleetAlertMemory;
}

export async function createKeptCheckServices(config: AppConfig, access: TenantAccess): Promise<KeptCheckServices> {
  const [{ store, registry }, channels, telemetry] = await Promise.all([createStateStorage(config, access.home), createChannelNotifiers(config, access.home), createTelemetry(config)]);
  return { store, registry, channels, telemetry, fleetAlert: { closedUntil: 0, raised: 0 } };
}

/** What every tenant's check shares, built once per run: the sign-ins, the state, the channels. */
export interface SharedCheckServices {
  access: TenantAccess;
  store: StateStore;
  /** The fleet's registry, in the same storage as `store` (read through `withRegisteredTenants`). */
  registry: TenantRegistry;
  notifiers: Notifier[];
  telemetry: Telemetry;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  /** A Functions process's memory of the fleet's alert (`KeptCheckServices`); a CLI run looks once anyway. */
  fleetAlert?: FleetAlertMemory;
}

export async function createSharedCheckServices(config: AppConfig, options: ServiceOptions): Promise<SharedCheckServices> {
  const access = await accessOf(config, options);
  const common = { access, clock: options.clock ?? systemClock, logger: options.logger, sleep: options.sleep ?? realSleep };
  if (options.kept) {
    const { createLogNotifier } = await import('../adapters/notifiers/logNotifier');
    const { store, registry, channels, telemetry, fleetAlert } = options.kept;
    return { ...common, store, registry, notifiers: [createLogNotifier(options.alertLogger ?? options.logger), ...channels], telemetry, fleetAlert };
  }
  const [{ store, registry }, notifiers, telemetry] = await Promise.all([
    createStateStorage(config, access.home, options.stateFile).then(async (storage) =>
      options.preloadState && !options.stateFile ? { ...storage, store: (await import('../adapters/state/preloadedStateStore')).preloadedStateStore(storage.store) } : storage,
    ),
    // E-mail goes out from the home tenant's mailbox, with the home credential.
    options.forecast ? [] : createNotifiers(config, options.alertLogger ?? options.logger, access.home),
    options.forecast ? noTelemetry : createTelemetry(config),
  ]);
  return { ...common, store, registry, notifiers, telemetry };
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
    return reportFleetHealth(deps, checkOptionsFor(config, config.tenant, overrides), outcome, shared.fleetAlert);
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
    routes: routesFor(config, tenant),
    kinds: config.monitoredKinds,
    policy: config.policy,
    notify: true,
    deliveryAttempts: config.delivery.attempts,
    deliveryMaxWaitMs: config.graph.maxRetryMs,
    claimLeaseMs: claimLeaseMs(config),
    ...overrides,
  };
}

/** Every secret value of the config, for the redactor. */
export function secretsOf(config: AppConfig): string[] {
  const out: (string | undefined)[] = [config.appInsights?.connectionString];
  for (const c of [config.channels, ...Object.values(config.routes)]) out.push(c.teams?.webhookUrl, c.slack?.webhookUrl, c.pagerduty?.routingKey, c.webhook?.url, c.webhook?.secret);
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

/** Acknowledging (SPEC §15): the tenants' state and the audit trail, where the checks keep them. */
export async function createAcknowledgeDeps(config: AppConfig, credential: TokenCredential, stateFile?: string, clock: Clock = systemClock): Promise<AcknowledgeDeps> {
  const [store, { audit }] = await Promise.all([createStateStore(config, credential, stateFile), createRenewalStorage(config, credential, stateFile)]);
  return { store, audit, clock, newId: randomUUID };
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

/**
 * `tenantFor` over the setting and the fleet's registry. What the setting alone decides is decided
 * before the registry is read — a tenant of APNS_TENANTS, or no tenant named in a fleet of several
 * (refused before anything is read) — so the registry is read only for a tenant it may hold.
 */
export async function watchedTenantFor(
  config: AppConfig,
  requested: string | undefined,
  what: string,
  flag: string,
  loadWatched: () => Promise<AppConfig>,
  code: 'invalid_request' | 'cli_usage' = 'invalid_request',
): Promise<TenantRef> {
  const settled = requested === undefined ? !config.fleet || config.tenants.length > 1 : !config.fleet || findTenant(config, requested) !== undefined;
  return tenantFor(settled ? config : await loadWatched(), requested, what, flag, code);
}

/** The renewal options for a tenant: in a fleet each tenant's renewed certificate is its own secret. */
export function renewOptionsFor(config: AppConfig, tenant: TenantRef, caller: { actor: string; via: RenewalVia; correlationId: string }): RenewOptions {
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

/** The partner tenant's GDAP customers, read in the home tenant with the home credential (`tenants discover`). */
export async function createPartnerDirectory(config: AppConfig, options: ServiceOptions): Promise<PartnerDirectory> {
  const access = await accessOf(config, options);
  return createGateway(config, access.forHome(), options.logger, options.sleep ?? realSleep);
}

/** A proposal's dry run (SPEC §16): the renewal's dependencies for the tenant, the proposal store, the page's address. */
export async function createProposeDeps(config: AppConfig, options: ServiceOptions, tenant: TenantRef): Promise<ProposeDeps> {
  const access = await accessOf(config, options);
  const [renew, proposals] = await Promise.all([createRenewDeps(config, { ...options, access }, tenant), createProposalStore(config, access.home, options.stateFile)]);
  return { renew, proposals, statusPageUrl: config.renewal.statusPageUrl };
}

/**
 * Approving and rejecting proposals: the store, and — only once an approval is allowed — the guarded
 * renewal for the proposal's tenant (which must still be watched).
 */
export async function createDecideDeps(config: AppConfig, options: ServiceOptions, caller: { via: RenewalVia; correlationId: string }): Promise<DecideDeps> {
  const access = await accessOf(config, options);
  return {
    proposals: await createProposalStore(config, access.home, options.stateFile),
    clock: options.clock ?? systemClock,
    logger: options.logger,
    async renewalFor(proposal) {
      // The registry's tenants too: a proposal for a tenant added with `tenants add` can be approved.
      const tenant = findTenant(await loadWatchedConfig(config, access.home, options.stateFile), proposal.tenantId);
      if (!tenant) throw new AppError('proposal_closed', `Proposal ${proposal.id} is for tenant ${proposal.tenantId}, which this deployment no longer watches.`);
      const deps = await createRenewDeps(config, { ...options, access }, tenant);
      return { deps, options: renewOptionsFor(config, tenant, { actor: '', ...caller }) };
    },
  };
}

export async function createCsrGateway(config: AppConfig, options: ServiceOptions, tenant: TenantRef = config.tenant): Promise<IntuneGateway> {
  const access = await accessOf(config, options);
  return createGateway(config, access.forTenant(tenant), options.logger, options.sleep ?? realSleep);
}

/** What a status read reads: the state, the registry, the proposals (one read of a state file for all three) and the audit trail. */
export async function createStatusStores(config: AppConfig, credential: TokenCredential, stateFile?: string): Promise<StateStorage & { proposals: ProposalStore; audit: AuditLog }> {
  // The CLI's state file is read once for the state, the registry and the proposals of one view.
  const records = stateFile ? (await import('../adapters/state/fileStateStore')).openStateFile(stateFile) : undefined;
  const [{ store, registry }, proposals, { audit }] = await Promise.all([
    createStateStorage(config, credential, records),
    createProposalStore(config, credential, records),
    createRenewalStorage(config, credential, stateFile),
  ]);
  return { store, registry, proposals, audit };
}

/**
 * Every watched tenant's status from stored state only (no Graph call): what the status page and
 * `GET /api/apns/status` show.
 */
export async function loadFleetStatus(config: AppConfig, credential: TokenCredential, stateFile?: string, clock: Clock = systemClock): Promise<FleetStatusView> {
  const [{ store, registry, proposals, audit }, { getFleetStatus }] = await Promise.all([createStatusStores(config, credential, stateFile), import('../useCases/getStatus')]);
  const watched = withRegisteredTenants(config, registry).then((c) => c.tenants);
  const tenants = await getFleetStatus(store, watched, audit, consentUrlOf(config), { store: proposals, now: clock.now() });
  return { generatedAt: new Date(clock.now()).toISOString(), fleet: config.fleet, homeTenantId: config.tenant.id, tenants };
}

/**
 * The expiry calendar (SPEC §15) of the watched tenants — the setting's and the registry's — or of
 * those requested (each must be watched), from stored state only: what `apns-monitor calendar` prints
 * and `GET /api/apns/calendar.ics` serves.
 */
export async function loadCalendar(
  config: AppConfig,
  credential: TokenCredential,
  options: { stateFile?: string | undefined; tenants: readonly string[]; flag: string; code: 'invalid_request' | 'cli_usage'; clock?: Clock },
): Promise<string> {
  const [{ store, registry }, { getFleetStatus }, { buildCalendar }] = await Promise.all([
    createStateStorage(config, credential, options.stateFile),
    import('../useCases/getStatus'),
    import('../adapters/notifiers/calendar/buildCalendar'),
  ]);
  const watched = await withRegisteredTenants(config, registry);
  const tenants = options.tenants.length === 0 ? watched.tenants : options.tenants.map((id) => tenantFor(watched, id, 'The calendar', options.flag, options.code));
  return buildCalendar({ tenants: await getFleetStatus(store, tenants), policy: config.policy, generatedAt: (options.clock ?? systemClock).now() });
}

/** The fleet's work queue (`apns-tenant-checks`) in the host storage, reached with the home credential. */
export async function createTenantCheckQueue(config: AppConfig, credential: TokenCredential): Promise<TenantCheckQueue> {
  if (!config.queue.connection) {
    throw new AppError('config_invalid', 'A fleet needs the host storage for its queue: set AzureWebJobsStorage (or AzureWebJobsStorage__accountName with the managed identity).');
  }
  const { createStorageTenantCheckQueue } = await import('../adapters/queue/storageTenantCheckQueue');
  return createStorageTenantCheckQueue({ connection: config.queue.connection, queueName: config.queue.name, credential, timeoutMs: config.http.timeoutMs });
}
