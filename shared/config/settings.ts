/**
 * Every setting the product reads: the one list the README table, `local.settings.example.json`
 * and the Bicep app settings are checked against (test/shared/config/settingsDrift.test.ts).
 *
 * `infra` says who provides it in Azure: `parameter` = a parameter of infra/main.bicep with this
 * default, `wired` = set by infra from the resources it creates, `platform` = set by Azure itself,
 * `reference` = a Key Vault reference the deployment adds from `APNS_ROUTE_VAULT_REFERENCES` (setting name →
 * secret name), for a family of settings whose names are not known in advance.
 *
 * A family is one entry whose `name` shows the pattern (`APNS_ROUTE_<R>_<SETTING>`), documented
 * once; `specOfSetting` tells its members. `perRoute` marks the global channel settings a route sets for
 * itself (the `<SETTING>` suffixes).
 */
export interface SettingSpec {
  readonly name: string;
  readonly group: 'Tenant and Graph' | 'Fleet' | 'Customer routes' | 'Alert policy' | 'State' | 'Channels' | 'Renewal' | 'Laptop' | 'Platform';
  readonly doc: string;
  /** The default as the environment would hold it; absent = no default. */
  readonly default?: string;
  /** How the default is described when it is not a literal (e.g. "value of AzureWebJobsStorage"). */
  readonly defaultDoc?: string;
  readonly required?: boolean;
  /** A secret: never logged, never echoed in an error, a Key Vault reference in production. */
  readonly secret?: boolean;
  readonly infra: 'parameter' | 'wired' | 'platform' | 'reference';
  /** The value put in local.settings.example.json (defaults to `default`, else ""); a family has none there. */
  readonly example?: string;
  /** A family of settings (`name` shows its pattern to people; `specOfSetting` tells its members). */
  readonly family?: true;
  /** A customer route may set this channel setting for itself: `APNS_ROUTE_<R>_` + the name without `APNS_`. */
  readonly perRoute?: true;
}

const S = <const T extends readonly SettingSpec[]>(list: T): T => list;

export const SETTINGS = S([
  // Tenant and Graph
  { name: 'APNS_TENANT_ID', group: 'Tenant and Graph', required: true, defaultDoc: 'value of `AZURE_TENANT_ID`', infra: 'wired', example: '00000000-0000-0000-0000-000000000000',
    doc: 'Entra tenant ID of the Intune tenant; part of every alert key `{tenantId}:{kind}:{assetId}`.' },
  { name: 'APNS_TENANT_NAME', group: 'Tenant and Graph', defaultDoc: 'value of `APNS_TENANT_ID`', infra: 'parameter', example: 'Contoso',
    doc: 'Display name of the tenant in messages.' },
  { name: 'APNS_GRAPH_BASE_URL', group: 'Tenant and Graph', default: 'https://graph.microsoft.com', infra: 'parameter',
    doc: 'Microsoft Graph endpoint; also the token scope `<base>/.default`. National clouds use theirs (e.g. `https://graph.microsoft.us`).' },
  { name: 'APNS_GRAPH_MAX_RETRY_SECONDS', group: 'Tenant and Graph', default: '60', infra: 'parameter',
    doc: 'Longest total wait for Graph throttling (429) and unavailability (503/504) retries in one run before it fails.' },
  { name: 'APNS_HTTP_TIMEOUT_SECONDS', group: 'Tenant and Graph', default: '30', infra: 'parameter',
    doc: 'Timeout of every single outbound request (Graph, Entra and the managed identity endpoint, Key Vault, Table and Queue Storage, channels), inside the retry budget: a peer that never answers ends as a "timed out" monitor failure.' },
  { name: 'APNS_MONITORED_ASSETS', group: 'Tenant and Graph', default: 'all', infra: 'parameter',
    doc: 'Comma list of the assets to monitor: `apns`, `vpp`, `ade`, `certconnectors`, `mtd`, `googleplay`, `partners`, `autopilot`, `exchange`, `connectorstatus`, or `all` (see "What is monitored").' },
  { name: 'APNS_CHECK_SCHEDULE', group: 'Tenant and Graph', default: '0 0 8 * * *', infra: 'parameter',
    doc: 'NCRONTAB schedule (UTC, six fields) of the `checkApnsExpiry` timer.' },
  // Fleet (SPEC §11)
  { name: 'APNS_TENANTS', group: 'Fleet', defaultDoc: '*(unset: one tenant, `APNS_TENANT_ID`)*', infra: 'parameter', example: '',
    doc: 'Comma list of the customer tenants to watch, each `tenantId` or `tenantId=Display name`. Set = fleet mode: each tenant is read through the multi-tenant app `APNS_APP_CLIENT_ID`, and `APNS_TENANT_ID` is only the home tenant (the Function App, its identity, the e-mail sender).' },
  { name: 'APNS_APP_CLIENT_ID', group: 'Fleet', infra: 'wired',
    doc: 'Client ID of the multi-tenant app registration whose federated credential trusts the managed identity (no secret). Required in fleet mode; each customer admin consents to it once.' },
  { name: 'APNS_FLEET_CONCURRENCY', group: 'Fleet', default: '32', infra: 'parameter',
    doc: 'How many tenants one process checks at the same time (CLI pool; in Azure the queue spreads tenants over instances, `host.json` bounds each). 32 is the knee measured for 1,000 tenants with Entra 100 ms away (README "Performance"): from 8 to 32 the run falls from ~27 s to ~7 s within ~230 MB; wider pools reach 250 MB.' },
  { name: 'AZURE_AUTHORITY_HOST', group: 'Fleet', default: 'https://login.microsoftonline.com', infra: 'wired',
    doc: 'Microsoft Entra authority for the fleet and device-code sign-ins (national clouds use theirs, e.g. `https://login.microsoftonline.us`); also read by `@azure/identity`. It chooses the fleet\'s token exchange audience (`api://AzureADTokenExchange`, `…USGov`, `…China`). In Azure, set from the deployment\'s cloud.' },
  // Alert policy
  { name: 'APNS_NOTICE_DAYS', group: 'Alert policy', default: '60', infra: 'parameter',
    doc: 'Notice when at most this many days remain (sent once: time to find the Apple ID owner).' },
  { name: 'APNS_WARNING_DAYS', group: 'Alert policy', default: '30', infra: 'parameter',
    doc: 'Warning when at most this many days remain; must be less than `APNS_NOTICE_DAYS`.' },
  { name: 'APNS_CRITICAL_DAYS', group: 'Alert policy', default: '7', infra: 'parameter',
    doc: 'Critical when at most this many days remain; must be less than `APNS_WARNING_DAYS`.' },
  { name: 'APNS_REPEAT_HOURS_WARNING', group: 'Alert policy', default: '168', infra: 'parameter',
    doc: 'Reminder interval while an asset stays at warning.' },
  { name: 'APNS_REPEAT_HOURS_CRITICAL', group: 'Alert policy', default: '24', infra: 'parameter',
    doc: 'Reminder interval while an asset stays critical or expired (an expired asset never goes quiet).' },
  { name: 'APNS_SYNC_WARNING_HOURS', group: 'Alert policy', default: '24', infra: 'parameter',
    doc: 'Warning when a VPP or ADE token, or a connector, last synced (or was last heard from) longer ago than this.' },
  { name: 'APNS_SYNC_CRITICAL_HOURS', group: 'Alert policy', default: '72', infra: 'parameter',
    doc: 'Critical when the last sync is older than this; must be more than `APNS_SYNC_WARNING_HOURS`.' },
  // State
  { name: 'APNS_STATE_CONNECTION', group: 'State', defaultDoc: 'value of `AzureWebJobsStorage`', secret: true, infra: 'wired', example: 'UseDevelopmentStorage=true',
    doc: 'Table Storage for alert state, locks and the audit trail: a connection string, or a table service URI (`https://<account>.table.core.windows.net`) reached with the managed identity.' },
  { name: 'APNS_STATE_TABLE', group: 'State', default: 'apnsmonitor', infra: 'parameter',
    doc: 'Table name for state, renewal locks and the renewal audit trail.' },
  { name: 'AzureWebJobsStorage', group: 'State', secret: true, infra: 'platform', example: 'UseDevelopmentStorage=true',
    doc: 'The Functions host storage (connection string). In Azure the identity-based form below is used instead.' },
  { name: 'AzureWebJobsStorage__accountName', group: 'State', infra: 'wired',
    doc: 'Identity-based host storage: the account name; state then lives in `https://<account>.table.core.windows.net`.' },
  { name: 'AzureWebJobsStorage__queueServiceUri', group: 'State', infra: 'platform',
    doc: 'Identity-based host storage: an explicit queue service URI for the fleet queue `apns-tenant-checks` (overrides the account name).' },
  { name: 'AzureWebJobsStorage__tableServiceUri', group: 'State', infra: 'platform',
    doc: 'Identity-based host storage: an explicit table service URI (overrides the account name).' },
  // Channels
  { name: 'APNS_TEAMS_WEBHOOK_URL', group: 'Channels', perRoute: true, secret: true, infra: 'parameter',
    doc: 'Microsoft Teams Workflows "When a Teams webhook request is received" URL (https). Turns the Teams channel on.' },
  { name: 'APNS_TEAMS_MIN_SEVERITY', group: 'Channels', perRoute: true, default: 'notice', infra: 'parameter',
    doc: 'Lowest severity sent to Teams: `notice`, `warning` or `critical`.' },
  { name: 'APNS_SLACK_WEBHOOK_URL', group: 'Channels', perRoute: true, secret: true, infra: 'parameter',
    doc: 'Slack incoming-webhook URL (https). Turns the Slack channel on.' },
  { name: 'APNS_SLACK_MIN_SEVERITY', group: 'Channels', perRoute: true, default: 'notice', infra: 'parameter',
    doc: 'Lowest severity sent to Slack.' },
  { name: 'APNS_EMAIL_FROM', group: 'Channels', infra: 'parameter',
    doc: 'Mailbox (UPN) the e-mail is sent from through Graph `sendMail` (needs `Mail.Send`). With `APNS_EMAIL_TO`, turns e-mail on.' },
  { name: 'APNS_EMAIL_TO', group: 'Channels', perRoute: true, infra: 'parameter',
    doc: 'Comma list of recipients.' },
  { name: 'APNS_EMAIL_MIN_SEVERITY', group: 'Channels', perRoute: true, default: 'notice', infra: 'parameter',
    doc: 'Lowest severity sent by e-mail.' },
  { name: 'APNS_PAGERDUTY_ROUTING_KEY', group: 'Channels', perRoute: true, secret: true, infra: 'parameter',
    doc: 'PagerDuty Events API v2 integration (routing) key. Turns PagerDuty on.' },
  { name: 'APNS_PAGERDUTY_EVENTS_URL', group: 'Channels', default: 'https://events.pagerduty.com/v2/enqueue', infra: 'parameter',
    doc: 'PagerDuty Events API v2 endpoint (the EU service uses `https://events.eu.pagerduty.com/v2/enqueue`).' },
  { name: 'APNS_PAGERDUTY_MIN_SEVERITY', group: 'Channels', perRoute: true, default: 'warning', infra: 'parameter',
    doc: 'Lowest severity sent to PagerDuty.' },
  { name: 'APNS_WEBHOOK_URL', group: 'Channels', perRoute: true, secret: true, infra: 'parameter',
    doc: 'Receiver of signed JSON events (Standard Webhooks, https). With `APNS_WEBHOOK_SECRET`, turns the webhook on.' },
  { name: 'APNS_WEBHOOK_SECRET', group: 'Channels', perRoute: true, secret: true, infra: 'parameter',
    doc: 'Signing secret `whsec_<base64>` shared with the receiver.' },
  { name: 'APNS_WEBHOOK_MIN_SEVERITY', group: 'Channels', perRoute: true, default: 'notice', infra: 'parameter',
    doc: 'Lowest severity sent to the webhook.' },
  { name: 'APNS_DELIVERY_ATTEMPTS', group: 'Channels', default: '3', infra: 'parameter',
    doc: 'Tries per channel and message within one run (with backoff); a message still refused is retried on the next run.' },
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', group: 'Channels', infra: 'wired',
    doc: 'Application Insights: custom events, and on every run the `ApnsDaysRemaining` metric per asset (`ApnsDaysPastExpiry` once expired: the SDK drops negative values). Never sent by a forecast (`check --now`). Loaded only when set.' },
  // Customer routes (SPEC §15)
  { name: 'APNS_ROUTE_<R>_<SETTING>', group: 'Customer routes', family: true, secret: true, infra: 'reference',
    doc: 'Route `R` (1–32 capital letters or digits, e.g. `APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL`): a customer\'s own channels, each the global setting of that name without `APNS_`, validated the same way. A tenant whose routes name `R` sends its alerts there too, each with its own delivery state (`teams@ACME`); another tenant\'s never. A route\'s minimum severity defaults as the global one\'s does (`notice`, PagerDuty `warning`), not to its value. E-mail goes from `APNS_EMAIL_FROM`; PagerDuty to `APNS_PAGERDUTY_EVENTS_URL`. In Azure, give each as a Key Vault reference through `APNS_ROUTE_VAULT_REFERENCES` (README "Customer routes").' },
  { name: 'APNS_TENANT_ROUTES', group: 'Customer routes', infra: 'parameter',
    doc: 'Comma list `tenantId=R1+R2`: the customer routes each tenant\'s alerts also go to, besides the global channels (the registry\'s `tenants add --route R` adds more). A route named here or in the registry must be defined by `APNS_ROUTE_<R>_…` settings.' },
  // Renewal
  { name: 'APNS_KEY_VAULT_URL', group: 'Renewal', infra: 'wired',
    doc: 'Key Vault holding the renewed certificate as a secret, e.g. `https://<vault>.vault.azure.net` (the identity needs *Key Vault Secrets User*).' },
  { name: 'APNS_CERT_SECRET_NAME', group: 'Renewal', default: 'apns-certificate', infra: 'parameter',
    doc: 'Default name of that secret (a request may name another). A new version of it — in a fleet, of `<name>-<tenantId>` for a watched tenant — is dry-run on its Key Vault event and proposed for approval; other secrets are never read.' },
  { name: 'APNS_STATUS_PAGE_URL', group: 'Renewal', defaultDoc: '`https://<WEBSITE_HOSTNAME>/api/apns/dashboard` in Azure; none on a laptop', infra: 'parameter', example: '',
    doc: 'The status page\'s address (https), linked from a renewal proposal\'s message ("approve on the status page"). Set it when people reach the app through another host name (a custom domain, Front Door); without it, and outside Azure, the message names `apns-monitor renewals approve` instead.' },
  // Laptop (SPEC §13)
  { name: 'APNS_PUBLIC_CLIENT_ID', group: 'Laptop', infra: 'platform',
    doc: 'Client ID of a public-client app registration for `apns-monitor login` / `--device-code` (delegated `DeviceManagementServiceConfig.Read.All`; ReadWrite for `renew`). Laptop only.' },
  // Platform
  { name: 'AZURE_TENANT_ID', group: 'Platform', infra: 'platform',
    doc: 'Read by `@azure/identity` (environment credentials); also the fallback of `APNS_TENANT_ID`.' },
  { name: 'WEBSITE_AUTH_ENABLED', group: 'Platform', infra: 'platform',
    doc: 'Set by App Service when Authentication (Easy Auth) is on (`True`, or `1`; read in any case, as the Functions host reads it): only then are `x-ms-client-principal-*` headers trusted as the caller (it strips forged ones); otherwise the actor is "function key".' },
  { name: 'WEBSITE_HOSTNAME', group: 'Platform', infra: 'platform',
    doc: 'Set by App Service: the app\'s default host name, from which the status page\'s address is made when `APNS_STATUS_PAGE_URL` is not set.' },
  { name: 'AZURE_CLIENT_ID', group: 'Platform', infra: 'wired',
    doc: 'Client ID of the user-assigned managed identity `DefaultAzureCredential` uses (read by `@azure/identity`).' },
] as const);

/** The same list, typed loosely for code that walks every field (docs, drift checks). */
export const SETTING_SPECS: readonly SettingSpec[] = SETTINGS;

/** The prefix of route `R`'s settings: `APNS_ROUTE_ACME_`. */
export function routeSettingPrefix(route: string): string {
  return `APNS_ROUTE_${route}_`;
}

/** What a route's setting is named after: `TEAMS_WEBHOOK_URL` for `APNS_TEAMS_WEBHOOK_URL`, for each per-route setting. */
export const ROUTE_SETTING_SUFFIXES: readonly string[] = SETTING_SPECS.filter((s) => s.perRoute).map((s) => s.name.slice('APNS_'.length));

/**
 * The spec a setting name falls under: its own entry, or for a member of a family, the global
 * setting it stands for (`APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL` → `APNS_TEAMS_WEBHOOK_URL`: a secret
 * alike). Undefined for a name the product does not read.
 */
export function specOfSetting(name: string): SettingSpec | undefined {
  const own = SETTING_SPECS.find((s) => s.name === name && !s.family);
  if (own) return own;
  const route = /^APNS_ROUTE_[A-Za-z0-9]+_([A-Z0-9_]+)$/.exec(name);
  if (route && ROUTE_SETTING_SUFFIXES.includes(route[1] ?? '')) return SETTING_SPECS.find((s) => s.name === `APNS_${route[1]}`);
  return undefined;
}
