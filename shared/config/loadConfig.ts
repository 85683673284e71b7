import { MONITORED_KINDS, type MonitoredKind } from '../domain/assets';
import { AppError } from '../domain/errors';
import type { AlertPolicy } from '../domain/policy';
import { MIN_SEVERITIES, type MinSeverity } from '../domain/severity';
import { ROUTE_SETTING_SUFFIXES, routeSettingPrefix, specOfSetting } from './settings';
import type { WatchedTenant } from '../domain/tenantRegistry';

export type Env = Readonly<Record<string, string | undefined>>;

export type StateConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'tableServiceUri'; url: string };

export interface ChannelsConfig {
  teams?: { webhookUrl: string; minSeverity: MinSeverity };
  slack?: { webhookUrl: string; minSeverity: MinSeverity };
  email?: { from: string; to: string[]; minSeverity: MinSeverity };
  pagerduty?: { routingKey: string; eventsUrl: string; minSeverity: MinSeverity };
  webhook?: { url: string; secret: string; minSeverity: MinSeverity };
}

export type QueueConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'queueServiceUri'; url: string };

/**
 * A tenant the product watches: its id (part of every alert key) and how people know it; in a fleet,
 * also where it comes from (`APNS_TENANTS`, or the registry of `apns-monitor tenants add`) and its routes.
 */
export type TenantRef = WatchedTenant;

// A frozen list of tenants (the config's, the registry's) never changes: its index is built once,
// not a scan of a thousand ids per queue message.
const tenantIndexes = new WeakMap<readonly TenantRef[], Map<string, TenantRef>>();

/** A watched tenant by id (tenant ids are case-insensitive), or undefined. */
export function findTenant(config: Pick<AppConfig, 'tenants'>, tenantId: string): TenantRef | undefined {
  const { tenants } = config;
  const wanted = tenantId.toLowerCase();
  if (!Object.isFrozen(tenants)) return tenants.find((t) => t.id.toLowerCase() === wanted);
  let index = tenantIndexes.get(tenants);
  if (!index) {
    index = new Map();
    // The first of a duplicated id wins, as a scan would find it.
    for (const t of tenants) if (!index.has(t.id.toLowerCase())) index.set(t.id.toLowerCase(), t);
    tenantIndexes.set(tenants, index);
  }
  return index.get(wanted);
}

/** The queue a fleet's timer fills with one message per tenant (SPEC §11). */
export const TENANT_CHECK_QUEUE = 'apns-tenant-checks';

export interface AppConfig {
  /** The home tenant: where the Function App, its identity and the e-mail sender live. */
  tenant: TenantRef;
  /** The tenants watched: `APNS_TENANTS` in a fleet, else the home tenant alone. */
  tenants: readonly TenantRef[];
  /** True when `APNS_TENANTS` is set: tenants are read through the multi-tenant app. */
  fleet: boolean;
  fleetConcurrency: number;
  entra: {
    authorityHost: string;
    /** `APNS_APP_CLIENT_ID`: the multi-tenant app (federated credential on the managed identity). */
    appClientId: string | undefined;
    /** `APNS_PUBLIC_CLIENT_ID`: the public client for device-code sign-in on a laptop. */
    publicClientId: string | undefined;
  };
  graph: { baseUrl: string; maxRetryMs: number };
  /** Timeout of each outbound request (`APNS_HTTP_TIMEOUT_SECONDS`). */
  http: { timeoutMs: number };
  /** True when App Service Authentication is on (`WEBSITE_AUTH_ENABLED`): principal headers are trusted. */
  easyAuth: boolean;
  monitoredKinds: readonly MonitoredKind[];
  schedule: string;
  policy: AlertPolicy;
  state: { connection: StateConnection | undefined; table: string };
  queue: { connection: QueueConnection | undefined; name: string };
  channels: ChannelsConfig;
  /** Customer routes by name (`APNS_ROUTE_<R>_…`, SPEC §15): each its own channels. */
  routes: Readonly<Record<string, ChannelsConfig>>;
  /** `APNS_TENANT_ROUTES`: lower-cased tenant id → the routes its alerts also go to. */
  tenantRoutes: Readonly<Record<string, readonly string[]>>;
  delivery: { attempts: number };
  appInsights: { connectionString: string } | undefined;
  renewal: {
    keyVaultUrl: string | undefined;
    secretName: string;
    /** Where a proposal's message sends people to approve it (`APNS_STATUS_PAGE_URL`, else made from `WEBSITE_HOSTNAME`). */
    statusPageUrl: string | undefined;
  };
}

/** A configuration error lists every problem at once, each as `NAME: what is wrong`. */
export class ConfigError extends AppError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('config_invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** `APNS_MONITORED_ASSETS=all`: every kind, including those added in later versions. */
const ALL_KINDS = 'all';
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const NCRONTAB_FIELD = /^[0-9A-Za-z*/,?-]+$/;

/**
 * Reads and validates every setting once, at start. Returns a frozen, typed config or throws a
 * ConfigError naming each bad field. Secret values are never echoed.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const read = readerOf(env, problems);
  const { raw, str, wholeNumber, httpsUrl } = read;

  // Tenant and Graph
  const tenantId = raw('APNS_TENANT_ID') ?? raw('AZURE_TENANT_ID');
  if (!tenantId) problems.push('APNS_TENANT_ID: is required (the Entra tenant ID of the Intune tenant; AZURE_TENANT_ID is used when set)');
  else if (!TENANT_ID.test(tenantId)) problems.push(`APNS_TENANT_ID: must be a tenant ID (letters, digits, ".", "_", "-"), got "${tenantId}"`);
  const tenantName = raw('APNS_TENANT_NAME') ?? tenantId ?? '';
  const graphBaseUrl = httpsUrl('APNS_GRAPH_BASE_URL', str('APNS_GRAPH_BASE_URL') ?? '');
  const maxRetrySeconds = wholeNumber('APNS_GRAPH_MAX_RETRY_SECONDS', 'seconds', 0);
  const timeoutSeconds = wholeNumber('APNS_HTTP_TIMEOUT_SECONDS', 'seconds', 1);

  // Fleet
  const tenantsText = raw('APNS_TENANTS');
  const fleetTenants = tenantsText === undefined ? undefined : parseTenantList(tenantsText, problems);
  const appClientId = raw('APNS_APP_CLIENT_ID');
  if (appClientId && !GUID.test(appClientId)) problems.push(`APNS_APP_CLIENT_ID: must be the application (client) ID, a GUID, got "${appClientId}"`);
  if (fleetTenants && !appClientId) {
    problems.push('APNS_APP_CLIENT_ID: is required when APNS_TENANTS is set (the multi-tenant app each customer tenant consents to; see README "MSP fleet")');
  }
  const fleetConcurrency = wholeNumber('APNS_FLEET_CONCURRENCY', 'tenants', 1);
  const authorityHost = httpsUrl('AZURE_AUTHORITY_HOST', str('AZURE_AUTHORITY_HOST') ?? '');
  const publicClientId = raw('APNS_PUBLIC_CLIENT_ID');
  if (publicClientId && !GUID.test(publicClientId)) problems.push(`APNS_PUBLIC_CLIENT_ID: must be the application (client) ID, a GUID, got "${publicClientId}"`);

  const listed = (str('APNS_MONITORED_ASSETS') ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const kinds: readonly string[] = listed.includes(ALL_KINDS) ? MONITORED_KINDS : listed;
  const unknownKinds = listed.filter((k) => k !== ALL_KINDS && !(MONITORED_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknownKinds.length > 0) {
    problems.push(`APNS_MONITORED_ASSETS: must be "${ALL_KINDS}" or a comma list of ${MONITORED_KINDS.join(', ')}, got "${str('APNS_MONITORED_ASSETS') ?? ''}"`);
  }
  const schedule = str('APNS_CHECK_SCHEDULE') ?? '';
  const fields = schedule.split(/\s+/).filter(Boolean);
  if (fields.length !== 6 || !fields.every((f) => NCRONTAB_FIELD.test(f))) {
    problems.push(`APNS_CHECK_SCHEDULE: must be an NCRONTAB expression with six fields ({second} {minute} {hour} {day} {month} {day-of-week}), got "${schedule}"`);
  }

  // Alert policy
  const noticeDays = wholeNumber('APNS_NOTICE_DAYS', 'days', 0);
  const warningDays = wholeNumber('APNS_WARNING_DAYS', 'days', 0);
  const criticalDays = wholeNumber('APNS_CRITICAL_DAYS', 'days', 0);
  if (!Number.isNaN(criticalDays) && !Number.isNaN(warningDays) && criticalDays >= warningDays) {
    problems.push(`APNS_CRITICAL_DAYS: must be less than APNS_WARNING_DAYS (got ${criticalDays} ≥ ${warningDays})`);
  }
  if (!Number.isNaN(warningDays) && !Number.isNaN(noticeDays) && warningDays >= noticeDays) {
    problems.push(`APNS_WARNING_DAYS: must be less than APNS_NOTICE_DAYS (got ${warningDays} ≥ ${noticeDays})`);
  }
  const repeatHoursWarning = wholeNumber('APNS_REPEAT_HOURS_WARNING', 'hours', 1);
  const repeatHoursCritical = wholeNumber('APNS_REPEAT_HOURS_CRITICAL', 'hours', 1);
  const syncWarningHours = wholeNumber('APNS_SYNC_WARNING_HOURS', 'hours', 1);
  const syncCriticalHours = wholeNumber('APNS_SYNC_CRITICAL_HOURS', 'hours', 1);
  if (!Number.isNaN(syncWarningHours) && !Number.isNaN(syncCriticalHours) && syncCriticalHours <= syncWarningHours) {
    problems.push(`APNS_SYNC_CRITICAL_HOURS: must be more than APNS_SYNC_WARNING_HOURS (got ${syncCriticalHours} ≤ ${syncWarningHours})`);
  }

  // State
  const stateConnection = parseStateConnection(env, raw('APNS_STATE_CONNECTION'), problems);
  const table = str('APNS_STATE_TABLE') ?? '';
  if (!TABLE_NAME.test(table)) problems.push(`APNS_STATE_TABLE: must be a Table Storage name (a letter, then 2–62 letters or digits), got "${table}"`);

  // Channels, and the customer routes' own (the same settings under APNS_ROUTE_<R>_)
  let eventsUrl: string | undefined;
  // Validated once, when a PagerDuty channel (global or a route's) needs it.
  const pagerDutyEventsUrl = () => (eventsUrl ??= httpsUrl('APNS_PAGERDUTY_EVENTS_URL', str('APNS_PAGERDUTY_EVENTS_URL') ?? ''));
  // APNS_EMAIL_FROM may be there only for the routes' recipients: global e-mail is then off.
  const routesMail = Object.entries(env).some(([k, v]) => /^APNS_ROUTE_[A-Z0-9]+_EMAIL_TO$/.test(k) && (v ?? '').trim() !== '');
  const channels = parseChannels(read, 'APNS_', { route: false, pagerDutyEventsUrl, routesMail });
  const routes = parseRoutes(env, read, { route: true, pagerDutyEventsUrl, routesMail });
  const tenantRoutes = parseTenantRoutes(raw('APNS_TENANT_ROUTES'), routes, problems);
  const attempts = wholeNumber('APNS_DELIVERY_ATTEMPTS', 'tries', 1);
  const aiConnection = raw('APPLICATIONINSIGHTS_CONNECTION_STRING');
  // The SDK silently sends nothing with a malformed key: refuse it here instead.
  if (aiConnection && !/(^|;)\s*InstrumentationKey=[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\s*(;|$)/.test(aiConnection)) {
    problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING: must hold InstrumentationKey=<GUID> (copy it from the Application Insights resource)');
  }

  // Renewal
  const keyVaultUrl = raw('APNS_KEY_VAULT_URL');
  if (keyVaultUrl) httpsUrl('APNS_KEY_VAULT_URL', keyVaultUrl);
  const secretName = str('APNS_CERT_SECRET_NAME') ?? '';
  if (!SECRET_NAME.test(secretName)) problems.push(`APNS_CERT_SECRET_NAME: must be a Key Vault secret name (1–127 letters, digits or "-"), got "${secretName}"`);
  const pageUrl = raw('APNS_STATUS_PAGE_URL');
  // In Azure the platform names the app's host (WEBSITE_HOSTNAME): the page is served there.
  const hostName = env.WEBSITE_HOSTNAME?.trim();
  const statusPageUrl = pageUrl ? httpsUrl('APNS_STATUS_PAGE_URL', pageUrl) : hostName && /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(hostName) ? `https://${hostName}/api/apns/dashboard` : undefined;

  if (problems.length > 0) throw new ConfigError(problems);
  const home: TenantRef = { id: tenantId ?? '', name: tenantName };
  return deepFreeze({
    tenant: home,
    tenants: fleetTenants ?? [home],
    fleet: fleetTenants !== undefined,
    fleetConcurrency,
    entra: { authorityHost, appClientId, publicClientId },
    graph: { baseUrl: graphBaseUrl, maxRetryMs: maxRetrySeconds * 1000 },
    http: { timeoutMs: timeoutSeconds * 1000 },
    // The Functions host reads it as "true" or "1", in any case (HostEasyAuthOptionsSetup).
    easyAuth: /^(true|1)$/i.test(env.WEBSITE_AUTH_ENABLED?.trim() ?? ''),
    monitoredKinds: MONITORED_KINDS.filter((k) => kinds.includes(k)),
    schedule,
    policy: { noticeDays, warningDays, criticalDays, repeatHoursWarning, repeatHoursCritical, syncWarningHours, syncCriticalHours },
    state: { connection: stateConnection, table },
    queue: { connection: queueConnectionOf(env), name: TENANT_CHECK_QUEUE },
    channels,
    routes,
    tenantRoutes,
    delivery: { attempts },
    appInsights: aiConnection ? { connectionString: aiConnection } : undefined,
    renewal: { keyVaultUrl: keyVaultUrl?.replace(/\/+$/, ''), secretName, statusPageUrl },
  });
}

/** `id` or `id=Display name`, comma separated; ids are unique and keep the alert keys sound (no ":"). */
export function parseTenantList(text: string, problems: string[]): TenantRef[] {
  const out: TenantRef[] = [];
  const seen = new Set<string>(); // a fleet lists hundreds: no quadratic duplicate check
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) problems.push('APNS_TENANTS: must list at least one tenant (`id` or `id=Display name`, comma separated)');
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const id = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const name = (eq < 0 ? '' : entry.slice(eq + 1)).trim();
    if (!TENANT_ID.test(id)) {
      problems.push(`APNS_TENANTS: "${id.slice(0, 80)}" is not a tenant ID (letters, digits, ".", "_", "-")`);
      continue;
    }
    if (seen.has(id.toLowerCase())) {
      problems.push(`APNS_TENANTS: tenant ${id} is listed twice`);
      continue;
    }
    seen.add(id.toLowerCase());
    out.push({ id, name: name || id });
  }
  return out;
}

/** Reads settings by name (a route's too), recording each problem as `NAME: what is wrong`. */
interface SettingReader {
  raw(name: string): string | undefined;
  /** The value, or the default of the setting (a route's: the global setting's default). */
  str(name: string): string | undefined;
  wholeNumber(name: string, what: string, min: number): number;
  severity(name: string): MinSeverity;
  httpsUrl(name: string, value: string): string;
  /** `got "…"`, or that a secret's value is not shown. */
  shown(name: string, value: string): string;
  problems: string[];
}

function readerOf(env: Env, problems: string[]): SettingReader {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const str = (name: string): string | undefined => raw(name) ?? specOfSetting(name)?.default;
  const shown = (name: string, value: string): string => (specOfSetting(name)?.secret ? '(value not shown: it is a secret)' : `got "${value}"`);
  return {
    raw,
    str,
    shown,
    problems,
    wholeNumber(name, what, min) {
      const value = str(name) ?? '';
      if (!/^\d+$/.test(value) || Number(value) < min) {
        problems.push(`${name}: must be a whole number of ${what}${min > 0 ? ` (at least ${min})` : ''}, got "${value}"`);
        return Number.NaN;
      }
      return Number(value);
    },
    severity(name) {
      const value = str(name) ?? '';
      if ((MIN_SEVERITIES as readonly string[]).includes(value)) return value as MinSeverity;
      problems.push(`${name}: must be one of ${MIN_SEVERITIES.join(', ')}, got "${value}"`);
      return 'notice';
    },
    httpsUrl(name, value) {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== 'https:') problems.push(`${name}: must be an https:// URL, ${shown(name, value)}`);
      return value.replace(/\/+$/, '');
    },
  };
}

interface ChannelOptions {
  /** A route's channels: e-mail from the global `APNS_EMAIL_FROM`, which its `EMAIL_TO` needs. */
  route: boolean;
  /** `APNS_PAGERDUTY_EVENTS_URL`, shared by every PagerDuty channel. */
  pagerDutyEventsUrl(): string;
  /** A route has e-mail recipients: `APNS_EMAIL_FROM` is needed without global ones. */
  routesMail: boolean;
}

/**
 * The channels set under `prefix`: the global ones (`APNS_`), or a route's (`APNS_ROUTE_ACME_`).
 * Every problem names the setting as it is written.
 */
function parseChannels(read: SettingReader, prefix: string, options: ChannelOptions): ChannelsConfig {
  const { raw, severity, httpsUrl, problems } = read;
  const name = (suffix: string) => `${prefix}${suffix}`;
  const channels: ChannelsConfig = {};
  const teamsUrl = raw(name('TEAMS_WEBHOOK_URL'));
  if (teamsUrl) channels.teams = { webhookUrl: httpsUrl(name('TEAMS_WEBHOOK_URL'), teamsUrl), minSeverity: severity(name('TEAMS_MIN_SEVERITY')) };
  const slackUrl = raw(name('SLACK_WEBHOOK_URL'));
  if (slackUrl) channels.slack = { webhookUrl: httpsUrl(name('SLACK_WEBHOOK_URL'), slackUrl), minSeverity: severity(name('SLACK_MIN_SEVERITY')) };
  const toList = (raw(name('EMAIL_TO')) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (!options.route) {
    const from = raw('APNS_EMAIL_FROM');
    if (from && !EMAIL.test(from)) problems.push(`APNS_EMAIL_FROM: must be the sending mailbox (UPN), got "${from}"`);
    if (toList.length > 0) {
      if (!from) problems.push('APNS_EMAIL_FROM: must be the sending mailbox (UPN) when APNS_EMAIL_TO is set, got ""');
      channels.email = { from: from ?? '', to: toList, minSeverity: severity('APNS_EMAIL_MIN_SEVERITY') };
    } else if (from && !options.routesMail) {
      problems.push('APNS_EMAIL_TO: must list at least one recipient when APNS_EMAIL_FROM is set');
    }
  } else if (toList.length > 0) {
    const from = raw('APNS_EMAIL_FROM');
    if (!from) problems.push(`${name('EMAIL_TO')}: needs APNS_EMAIL_FROM, the mailbox every e-mail is sent from`);
    channels.email = { from: from ?? '', to: toList, minSeverity: severity(name('EMAIL_MIN_SEVERITY')) };
  }
  for (const to of toList) if (!EMAIL.test(to)) problems.push(`${name('EMAIL_TO')}: "${to}" is not an e-mail address`);
  const routingKey = raw(name('PAGERDUTY_ROUTING_KEY'));
  if (routingKey) {
    if (!/^[A-Za-z0-9]{20,64}$/.test(routingKey)) problems.push(`${name('PAGERDUTY_ROUTING_KEY')}: must be a 32-character Events API v2 integration key (value not shown: it is a secret)`);
    channels.pagerduty = {
      routingKey,
      eventsUrl: options.pagerDutyEventsUrl(),
      minSeverity: severity(name('PAGERDUTY_MIN_SEVERITY')),
    };
  }
  const webhookUrl = raw(name('WEBHOOK_URL'));
  const webhookSecret = raw(name('WEBHOOK_SECRET'));
  if (webhookUrl || webhookSecret) {
    if (!webhookUrl) problems.push(`${name('WEBHOOK_URL')}: is required when ${name('WEBHOOK_SECRET')} is set`);
    if (!webhookSecret) problems.push(`${name('WEBHOOK_SECRET')}: is required when ${name('WEBHOOK_URL')} is set (messages are always signed)`);
    else if (!WEBHOOK_SECRET.test(webhookSecret)) problems.push(`${name('WEBHOOK_SECRET')}: must look like whsec_<base64> (value not shown: it is a secret)`);
    channels.webhook = {
      url: webhookUrl ? httpsUrl(name('WEBHOOK_URL'), webhookUrl) : '',
      secret: webhookSecret ?? '',
      minSeverity: severity(name('WEBHOOK_MIN_SEVERITY')),
    };
  }
  return channels;
}

/** A route's name in its settings: `APNS_ROUTE_<R>_…` with R capital letters and digits, so the name ends at the first "_". */
const ROUTE_NAME = /^[A-Z0-9]{1,32}$/;

/** Every route `APNS_ROUTE_<R>_<SETTING>` defines, by name; each must have a channel and only known settings. */
function parseRoutes(env: Env, read: SettingReader, options: ChannelOptions): Record<string, ChannelsConfig> {
  const { problems } = read;
  const names = new Set<string>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('APNS_ROUTE_') || value === undefined || value.trim() === '') continue;
    const rest = key.slice('APNS_ROUTE_'.length);
    const cut = rest.indexOf('_');
    const route = cut < 0 ? rest : rest.slice(0, cut);
    const suffix = cut < 0 ? '' : rest.slice(cut + 1);
    if (!ROUTE_NAME.test(route)) {
      problems.push(`${key.slice(0, 100)}: a route's name (after APNS_ROUTE_) must be 1–32 capital letters or digits, e.g. APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL`);
    } else if (!ROUTE_SETTING_SUFFIXES.includes(suffix)) {
      problems.push(`${key.slice(0, 100)}: is not a route setting; a route takes ${ROUTE_SETTING_SUFFIXES.map((s) => `${routeSettingPrefix(route)}${s}`).join(', ')}`);
    } else {
      names.add(route);
    }
  }
  const routes: Record<string, ChannelsConfig> = {};
  for (const route of [...names].sort()) {
    const channels = parseChannels(read, routeSettingPrefix(route), options);
    if (Object.keys(channels).length === 0) {
      problems.push(`${routeSettingPrefix(route)}*: route ${route} has no channel: set its TEAMS_WEBHOOK_URL, SLACK_WEBHOOK_URL, EMAIL_TO, PAGERDUTY_ROUTING_KEY or WEBHOOK_URL`);
    }
    routes[route] = channels;
  }
  return routes;
}

/** `tenantId=R1+R2,…`: each tenant once, each route defined. */
function parseTenantRoutes(text: string | undefined, routes: Readonly<Record<string, ChannelsConfig>>, problems: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const id = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const names = (eq < 0 ? '' : entry.slice(eq + 1)).split('+').map((r) => r.trim().toUpperCase()).filter(Boolean);
    if (!TENANT_ID.test(id)) {
      problems.push(`APNS_TENANT_ROUTES: "${id.slice(0, 80)}" is not a tenant ID (each entry is tenantId=R1+R2)`);
      continue;
    }
    if (names.length === 0) {
      problems.push(`APNS_TENANT_ROUTES: tenant ${id} names no route (each entry is tenantId=R1+R2)`);
      continue;
    }
    if (out[id.toLowerCase()]) {
      problems.push(`APNS_TENANT_ROUTES: tenant ${id} is listed twice`);
      continue;
    }
    for (const name of names) {
      if (!routes[name]) problems.push(`APNS_TENANT_ROUTES: route ${name.slice(0, 40)} (tenant ${id}) is not defined: no ${routeSettingPrefix(name.slice(0, 40))}… setting sets a channel for it`);
    }
    out[id.toLowerCase()] = [...new Set(names)];
  }
  return out;
}

/**
 * The customer routes of a tenant: `APNS_TENANT_ROUTES` and the registry's, each defined (a name
 * no `APNS_ROUTE_<R>_…` setting defines is a configuration error naming it, never a silent drop).
 */
export function routesFor(config: Pick<AppConfig, 'routes' | 'tenantRoutes'>, tenant: TenantRef): string[] {
  const names = [...(config.tenantRoutes[tenant.id.toLowerCase()] ?? []), ...(tenant.routes ?? []).map((r) => r.trim().toUpperCase())];
  const unknown = [...new Set(names)].filter((r) => !config.routes[r]);
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((r) => `tenant ${tenant.id}: route ${r.slice(0, 40)} (from the tenant registry) is not defined: no ${routeSettingPrefix(r.slice(0, 40))}… setting sets a channel for it`));
  }
  return [...new Set(names)].sort();
}

/** Where the fleet queue lives: the host storage, as a connection string or identity-based. */
function queueConnectionOf(env: Env): QueueConnection | undefined {
  const value = env.AzureWebJobsStorage?.trim();
  if (value) return { kind: 'connectionString', connectionString: value };
  const uri = env.AzureWebJobsStorage__queueServiceUri?.trim();
  if (uri) return { kind: 'queueServiceUri', url: uri.replace(/\/+$/, '') };
  const account = env.AzureWebJobsStorage__accountName?.trim();
  if (account && /^[a-z0-9]{3,24}$/.test(account)) return { kind: 'queueServiceUri', url: `https://${account}.queue.core.windows.net` };
  return undefined;
}

function parseStateConnection(env: Env, explicit: string | undefined, problems: string[]): StateConnection | undefined {
  const value = explicit ?? env.AzureWebJobsStorage?.trim() ?? undefined;
  const name = explicit ? 'APNS_STATE_CONNECTION' : 'AzureWebJobsStorage';
  if (value) {
    if (/^https:\/\//i.test(value)) return { kind: 'tableServiceUri', url: value.replace(/\/+$/, '') };
    if (/^UseDevelopmentStorage=true/i.test(value) || /(AccountName|TableEndpoint|SharedAccessSignature)=/i.test(value)) {
      return { kind: 'connectionString', connectionString: value };
    }
    problems.push(`${name}: must be a storage connection string or an https:// table service URI (value not shown: it is a secret)`);
    return undefined;
  }
  const uri = env.AzureWebJobsStorage__tableServiceUri?.trim();
  if (uri) return { kind: 'tableServiceUri', url: uri.replace(/\/+$/, '') };
  const account = env.AzureWebJobsStorage__accountName?.trim();
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) problems.push(`AzureWebJobsStorage__accountName: must be a storage account name, got "${account}"`);
    return { kind: 'tableServiceUri', url: `https://${account}.table.core.windows.net` };
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
