import { generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AZURE_CLI_CLIENT_ID } from './entraSimulator';
import { normalizeAudience, readToken, type TokenClaims } from './identitySimulator';
import { apnsFixture, autopilotFixture, googlePlayFixture, type GraphJson } from './tenantFixtures';

/**
 * Microsoft Graph as this product sees it, over loopback HTTPS: the APNs certificate (GET, PATCH,
 * CSR), VPP and ADE tokens, Intune's other connectors (certificate connectors, Mobile Threat
 * Defense, Managed Google Play, device management partners, Windows Autopilot, Exchange, and
 * `deviceManagement.connectorStatus`), `sendMail`, and JSON `$batch` per API version. Every request needs a
 * bearer token whose audience is this simulator's origin; the token's `tid` chooses which tenant's
 * data answers (`tenant` is the default one, `addTenant` adds more). Application tokens with `roles`
 * and delegated tokens with `scp` must carry the permission the call needs, else 403 as Intune
 * answers it. v1.0 answers carry only v1.0 properties. Faults can be injected per resource (and per
 * tenant), including inside a batch. Used by the tests and by `apns-monitor demo`.
 */

/** The resources a fault can target. `batch` is the `$batch` request itself. */
export type GraphResource =
  | 'apns'
  | 'apnsPatch'
  | 'csr'
  | 'vpp'
  | 'ade'
  | 'certconnectors'
  | 'mtd'
  | 'googleplay'
  | 'partners'
  | 'autopilot'
  | 'exchange'
  | 'connectorstatus'
  | 'sendMail'
  | 'gdapcustomers'
  | 'batch';

export interface Fault {
  resource: GraphResource;
  /** How many matching requests it answers (default: every one). */
  times?: number;
  status?: number;
  /** `Retry-After` header value: seconds ("2") or an HTTP date. */
  retryAfter?: string;
  /** Graph error code for the body (`{error:{code,message}}`). */
  code?: string;
  /** A raw body instead of the JSON one (e.g. "<html>" for a malformed answer). */
  rawBody?: string;
  /** A JSON body instead of the usual one (e.g. a wrong shape), sent with `status` (default 200). */
  body?: unknown;
  /** Only requests whose token is for this tenant (default: any tenant). */
  tenantId?: string;
}

export interface GraphTenant {
  /** The APNs certificate as Graph returns it; null = the tenant has none (see `apnsMissingStatus`). */
  apns: GraphJson | null;
  /**
   * How a tenant with no certificate answers (`apns: null`): 404 `ResourceNotFound` (default), or 204
   * No Content as OData allows for an unset single-valued property. The third way, 200 with null
   * strings and `0001-01-01T00:00:00Z` dates, is data: `apns: unconfiguredApnsFixture()`.
   */
  apnsMissingStatus?: 404 | 204;
  vppTokens: GraphJson[];
  adeTokens: GraphJson[];
  /** `ndesConnectors` (beta only). */
  ndesConnectors: GraphJson[];
  mtdConnectors: GraphJson[];
  /** The `androidManagedStoreAccountEnterpriseSettings` singleton (beta only; default `notBound`). */
  googlePlay: GraphJson;
  deviceManagementPartners: GraphJson[];
  /** The `windowsAutopilotSettings` singleton (beta only; default never synced). */
  autopilot: GraphJson;
  exchangeConnectors: GraphJson[];
  /** `deviceManagement.connectorStatus` (beta only): Intune's own verdict per connector. */
  connectorStatus: GraphJson[];
  /**
   * `tenantRelationships/delegatedAdminCustomers`: the GDAP customers of this tenant as a Microsoft
   * partner (`id`, `tenantId`, `displayName`; see `delegatedAdminCustomerFixture`).
   */
  delegatedAdminCustomers: GraphJson[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** The token's `tid` (null when the token was missing or invalid). */
  tenantId: string | null;
  /** The token's `appid` (null when the token was missing or invalid). */
  appId: string | null;
  /** Resources served (one for a plain request, one per item for a batch). */
  resources: (GraphResource | 'unknown')[];
  batch: boolean;
  startedAt: number;
  endedAt: number;
  status: number;
}

export interface UploadRecord {
  tenantId: string;
  appleIdentifier: unknown;
  certificate: unknown;
  at: number;
  applied: boolean;
}

export interface MailRecord {
  tenantId: string;
  from: string;
  body: unknown;
  at: number;
}

export interface GraphSimulator {
  baseUrl: string;
  port: number;
  /** The token audience it accepts (its own origin). */
  audience: string;
  /**
   * The default tenant's id: when set, only tokens with this `tid` (or one added with `addTenant`)
   * are answered; when undefined, `tenant` answers every `tid` not added (single-tenant use).
   */
  tenantId: string | undefined;
  /** The default tenant's data. */
  tenant: GraphTenant;
  /** Tenants added with `addTenant`, by id (the default tenant is `tenant`). */
  tenants: Map<string, GraphTenant>;
  /** Adds (or replaces) a tenant answered for tokens whose `tid` is `tenantId`; returns its live data. */
  addTenant(tenantId: string, data?: Partial<GraphTenant>): GraphTenant;
  /** The data answering a token with this `tid`, if any. */
  tenantFor(tenantId: string): GraphTenant | undefined;
  requests: LoggedRequest[];
  uploads: UploadRecord[];
  mails: MailRecord[];
  /** When true, a PATCH answers 200 but changes nothing (to prove the re-read verification). */
  ignoreUploads: boolean;
  /**
   * A PATCH is applied (and answered) only after this many ms, even when the client has given up
   * and disconnected: how a slow Intune can apply an upload its caller thought had failed.
   */
  uploadDelayMs: number;
  /** Added to every HTTP request (not per batch item), like a network round trip. */
  latencyMs: number;
  /** Most items a page of `delegatedAdminCustomers` holds, whatever `$top` asks (server-driven paging). */
  gdapPageSize: number;
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Forget requests, uploads, mails and faults (the tenants' data stays). */
  reset(): void;
  close(): Promise<void>;
}

export interface GraphSimulatorOptions {
  tls: { cert: string; key: string };
  tenant?: Partial<GraphTenant>;
  /** The default tenant's id (see `GraphSimulator.tenantId`). */
  tenantId?: string;
  latencyMs?: number;
  /** Host name in `baseUrl` (default `localhost`). */
  host?: string;
}

const MAX_BATCH = 20; // Graph's JSON batching limit

/**
 * Properties of each entity in the v1.0 CSDL (microsoftgraph/msgraph-metadata, clean_v10_metadata),
 * plus `id` from `graph.entity`. Anything else in a fixture (e.g. vppToken's beta-only `displayName`
 * and `locationName`) is served from beta only.
 */
const V1_PROPERTIES = {
  applePushNotificationCertificate: ['id', 'appleIdentifier', 'topicIdentifier', 'lastModifiedDateTime', 'expirationDateTime', 'certificateUploadStatus', 'certificateUploadFailureReason', 'certificateSerialNumber', 'certificate'],
  vppToken: ['id', 'organizationName', 'vppTokenAccountType', 'appleId', 'expirationDateTime', 'lastSyncDateTime', 'token', 'lastModifiedDateTime', 'state', 'lastSyncStatus', 'automaticallyUpdateApps', 'countryOrRegion'],
  mobileThreatDefenseConnector: [
    'id', 'allowPartnerToCollectIOSApplicationMetadata', 'allowPartnerToCollectIOSPersonalApplicationMetadata', 'androidDeviceBlockedOnMissingPartnerData', 'androidEnabled',
    'androidMobileApplicationManagementEnabled', 'iosDeviceBlockedOnMissingPartnerData', 'iosEnabled', 'iosMobileApplicationManagementEnabled', 'lastHeartbeatDateTime',
    'microsoftDefenderForEndpointAttachEnabled', 'partnerState', 'partnerUnresponsivenessThresholdInDays', 'partnerUnsupportedOsVersionBlocked',
    'windowsDeviceBlockedOnMissingPartnerData', 'windowsEnabled',
  ],
  deviceManagementPartner: [
    'id', 'displayName', 'groupsRequiringPartnerEnrollment', 'isConfigured', 'lastHeartbeatDateTime', 'partnerAppType', 'partnerState', 'singleTenantAppId',
    'whenPartnerDevicesWillBeMarkedAsNonCompliantDateTime', 'whenPartnerDevicesWillBeRemovedDateTime',
  ],
  deviceManagementExchangeConnector: ['id', 'connectorServerName', 'exchangeAlias', 'exchangeConnectorType', 'exchangeOrganization', 'lastSyncDateTime', 'primarySmtpAddress', 'serverName', 'status', 'version'],
  delegatedAdminCustomer: ['id', 'displayName', 'tenantId'],
} as const;

function v1Only(entity: GraphJson, properties: readonly string[]): GraphJson {
  return Object.fromEntries(Object.entries(entity).filter(([key]) => key.startsWith('@odata.') || properties.includes(key)));
}

/** Permissions that allow each call (application `roles` or delegated `scp`): any one suffices. */
const READ = ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All'];
const WRITE = ['DeviceManagementServiceConfig.ReadWrite.All'];
// The reference pages: ndesConnectors, androidManagedStoreAccountEnterpriseSettings and GET
// /deviceManagement take the Configuration permissions; partners and Exchange connectors take either.
const CONFIG_READ = ['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All'];
const REQUIRED_PERMISSIONS: Partial<Record<GraphResource, string[]>> = {
  apns: READ,
  vpp: READ,
  ade: READ,
  certconnectors: CONFIG_READ,
  mtd: READ,
  googleplay: CONFIG_READ,
  partners: [...READ, ...CONFIG_READ],
  autopilot: READ,
  exchange: [...READ, ...CONFIG_READ],
  connectorstatus: CONFIG_READ,
  csr: WRITE,
  apnsPatch: WRITE,
  sendMail: ['Mail.Send'],
  // The reference page of List delegatedAdminCustomers (least privileged first); application
  // permissions work here (microsoftgraph/microsoft-graph-docs-contrib#8613, on the sibling list).
  gdapcustomers: ['DelegatedAdminRelationship.Read.All', 'DelegatedAdminRelationship.ReadWrite.All'],
};
/** `$top` of List delegatedAdminCustomers "supports up to 300 objects" (its reference page). */
const GDAP_MAX_TOP = 300;

/** Collections and singletons that exist only in beta: v1.0 answers 400 for their segment, as Graph does. */
const BETA_ONLY: Partial<Record<GraphResource, string>> = {
  ade: 'depOnboardingSettings',
  certconnectors: 'ndesConnectors',
  googleplay: 'androidManagedStoreAccountEnterpriseSettings',
  autopilot: 'windowsAutopilotSettings',
};

interface Routed {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  raw?: string;
  resource: GraphResource | 'unknown';
}

function graphError(status: number, code: string, message: string): Routed {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } },
    resource: 'unknown',
  };
}

/** Intune's 403 for a missing permission: its own error JSON, as a string, inside Graph's. */
function intuneForbidden(permissions: string[], path: string): Routed {
  const activityId = randomUUID();
  const inner = [
    '{',
    '  "_version": 3,',
    `  "Message": "Application is not authorized to perform this operation. Application must have one of the following scopes: ${permissions.join(', ')} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${activityId} - Url: https://fef.msub01.manage.microsoft.com/StatelessServiceConfigFEService${path}?api-version=5024-01-01",`,
    '  "CustomApiErrorPhrase": "",',
    '  "RetryAfter": null,',
    '  "ErrorSourceService": "",',
    '  "HttpHeaders": "{}"',
    '}',
  ].join('\r\n');
  return graphError(403, 'Forbidden', inner);
}

/** What the token may do with this resource: undefined = allowed, else Graph's 403. */
function assessPermission(claims: TokenClaims, resource: GraphResource | 'unknown', path: string): Routed | undefined {
  const required = resource === 'unknown' ? undefined : REQUIRED_PERMISSIONS[resource];
  if (!required) return undefined;
  let granted: string[];
  if (claims.scp !== undefined) {
    // A person's token. Azure CLI is never pre-authorized for Intune's delegated permissions.
    granted = claims.appid === AZURE_CLI_CLIENT_ID && resource !== 'sendMail' ? [] : claims.scp.split(' ');
  } else if (claims.roles !== undefined || claims.idtyp === 'app') {
    granted = claims.roles ?? [];
  } else {
    return undefined; // a managed-identity token from the identity simulator: no roles claim, allowed
  }
  if (required.some((p) => granted.includes(p))) return undefined;
  if (resource === 'sendMail') return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  // Outside Intune, Graph's own gateway refuses a token without the role, naming what the API needs.
  if (resource === 'gdapcustomers') return graphError(403, 'Forbidden', `Missing role permissions on the request. API requires one of '${required.join(', ')}'. Roles on the request '${granted.join(', ')}'.`);
  return intuneForbidden(required, path);
}

function resourceOf(method: string, path: string): GraphResource | 'unknown' {
  const p = path.replace(/\/+$/, '');
  if (/\/deviceManagement\/applePushNotificationCertificate\/downloadApplePushNotificationCertificateSigningRequest(\(\))?$/i.test(p)) return 'csr';
  if (/\/deviceManagement\/applePushNotificationCertificate$/i.test(p)) return method === 'PATCH' ? 'apnsPatch' : 'apns';
  if (/\/deviceAppManagement\/vppTokens$/i.test(p)) return 'vpp';
  if (/\/deviceManagement\/depOnboardingSettings$/i.test(p)) return 'ade';
  if (/\/deviceManagement\/ndesConnectors$/i.test(p)) return 'certconnectors';
  if (/\/deviceManagement\/mobileThreatDefenseConnectors$/i.test(p)) return 'mtd';
  if (/\/deviceManagement\/androidManagedStoreAccountEnterpriseSettings$/i.test(p)) return 'googleplay';
  if (/\/deviceManagement\/deviceManagementPartners$/i.test(p)) return 'partners';
  if (/\/deviceManagement\/windowsAutopilotSettings$/i.test(p)) return 'autopilot';
  if (/\/deviceManagement\/exchangeConnectors$/i.test(p)) return 'exchange';
  if (method === 'GET' && /^\/deviceManagement$/i.test(p)) return 'connectorstatus';
  if (/\/users\/[^/]+\/sendMail$/i.test(p)) return 'sendMail';
  if (method === 'GET' && /^\/tenantRelationships\/delegatedAdminCustomers$/i.test(p)) return 'gdapcustomers';
  return 'unknown';
}

function topicOf(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) {
    const [name, ...rest] = line.split('=');
    if (name === 'UID' || name === '0.9.2342.19200300.100.1.1') return rest.join('=');
  }
  return undefined;
}

let csrCache: string | undefined;
function sampleCsr(): string {
  // Not Intune's real CSR (Microsoft signs that), but the same kind of text the portal accepts.
  if (!csrCache) {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    csrCache = `-----BEGIN CERTIFICATE REQUEST-----\n${body.match(/.{1,64}/g)?.join('\n') ?? body}\n-----END CERTIFICATE REQUEST-----\n`;
  }
  return csrCache;
}

function tenantData(data: Partial<GraphTenant> = {}): GraphTenant {
  return {
    ...data,
    apns: data.apns === undefined ? apnsFixture() : data.apns,
    vppTokens: data.vppTokens ?? [],
    adeTokens: data.adeTokens ?? [],
    ndesConnectors: data.ndesConnectors ?? [],
    mtdConnectors: data.mtdConnectors ?? [],
    googlePlay: data.googlePlay ?? googlePlayFixture(),
    deviceManagementPartners: data.deviceManagementPartners ?? [],
    autopilot: data.autopilot ?? autopilotFixture(),
    exchangeConnectors: data.exchangeConnectors ?? [],
    connectorStatus: data.connectorStatus ?? [],
    delegatedAdminCustomers: data.delegatedAdminCustomers ?? [],
  };
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  let faults: (Fault & { left: number })[] = [];
  const sim = {
    tenantId: options.tenantId,
    tenant: tenantData(options.tenant),
    tenants: new Map<string, GraphTenant>(),
    requests: [] as LoggedRequest[],
    uploads: [] as UploadRecord[],
    mails: [] as MailRecord[],
    ignoreUploads: false,
    uploadDelayMs: 0,
    latencyMs: options.latencyMs ?? 0,
    gdapPageSize: GDAP_MAX_TOP,
  };

  const tenantFor = (tenantId: string): GraphTenant | undefined => {
    const added = sim.tenants.get(tenantId);
    if (added) return added;
    return sim.tenantId === undefined || sim.tenantId === tenantId ? sim.tenant : undefined;
  };

  const takeFault = (resource: GraphResource | 'unknown', tenantId: string): Routed | undefined => {
    const fault = faults.find((f) => f.resource === resource && f.left > 0 && (f.tenantId === undefined || f.tenantId === tenantId));
    if (!fault) return undefined;
    fault.left--;
    const status = fault.status ?? 200;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
    if (fault.rawBody !== undefined) return { status, headers: { 'content-type': 'text/html' }, raw: fault.rawBody, resource };
    if (fault.body !== undefined) return { status, headers, body: fault.body, resource };
    const codes: Record<number, string> = {
      400: 'BadRequest',
      401: 'InvalidAuthenticationToken',
      403: 'Authorization_RequestDenied',
      404: 'ResourceNotFound',
      429: 'TooManyRequests',
      500: 'InternalServerError',
      502: 'BadGateway',
      503: 'ServiceUnavailable',
      504: 'GatewayTimeout',
    };
    const routed = graphError(status, fault.code ?? codes[status] ?? 'UnknownError', `Simulated ${status}.`);
    return { ...routed, headers: { ...routed.headers, ...headers }, resource };
  };

  const route = (method: string, path: string, body: unknown, version: string, claims: TokenClaims, tenant: GraphTenant, query: URLSearchParams = new URLSearchParams()): Routed => {
    const resource = resourceOf(method, path);
    const fault = takeFault(resource, claims.tid);
    if (fault) return fault;
    const denied = assessPermission(claims, resource, path);
    if (denied) return { ...denied, resource };
    const ok = (data: unknown, status = 200): Routed => ({ status, headers: { 'content-type': 'application/json' }, body: data, resource });
    const segment = resource === 'unknown' ? undefined : BETA_ONLY[resource];
    if (segment && version !== 'beta') return { ...graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`), resource };
    const list = (context: string, items: GraphJson[], v1Properties?: readonly string[]) =>
      ok({ '@odata.context': `https://graph.microsoft.com/${version}/$metadata#${context}`, value: version === 'v1.0' && v1Properties ? items.map((i) => v1Only(i, v1Properties)) : items });
    switch (resource) {
      case 'apns':
        if (!tenant.apns) {
          if (tenant.apnsMissingStatus === 204) return { status: 204, headers: {}, resource };
          return { ...graphError(404, 'ResourceNotFound', 'Resource not found for the segment \'applePushNotificationCertificate\'.'), resource };
        }
        return ok(version === 'v1.0' ? v1Only(tenant.apns, V1_PROPERTIES.applePushNotificationCertificate) : tenant.apns);
      case 'csr':
        return ok({ '@odata.context': `https://graph.microsoft.com/${version}/$metadata#Edm.String`, value: sampleCsr() });
      case 'vpp':
        return list('deviceAppManagement/vppTokens', tenant.vppTokens, V1_PROPERTIES.vppToken);
      case 'ade':
        return list('deviceManagement/depOnboardingSettings', tenant.adeTokens);
      case 'certconnectors':
        return list('deviceManagement/ndesConnectors', tenant.ndesConnectors);
      case 'mtd':
        return list('deviceManagement/mobileThreatDefenseConnectors', tenant.mtdConnectors, V1_PROPERTIES.mobileThreatDefenseConnector);
      case 'partners':
        return list('deviceManagement/deviceManagementPartners', tenant.deviceManagementPartners, V1_PROPERTIES.deviceManagementPartner);
      case 'exchange':
        return list('deviceManagement/exchangeConnectors', tenant.exchangeConnectors, V1_PROPERTIES.deviceManagementExchangeConnector);
      // Singletons answer as the entity itself, never inside `value`.
      case 'googleplay':
        return ok(tenant.googlePlay);
      case 'autopilot':
        return ok(tenant.autopilot);
      case 'connectorstatus': {
        const select = (query.get('$select') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
        if (version !== 'beta' && select.includes('connectorStatus')) {
          return { ...graphError(400, 'BadRequest', "Could not find a property named 'connectorStatus' on type 'microsoft.graph.deviceManagement'."), resource };
        }
        const entity: GraphJson = { id: 'deviceManagement', subscriptionState: 'active', ...(version === 'beta' ? { connectorStatus: tenant.connectorStatus } : {}) };
        const shown = select.length === 0 ? entity : Object.fromEntries(Object.entries(entity).filter(([k]) => select.includes(k)));
        return ok({ '@odata.context': `https://graph.microsoft.com/${version}/$metadata#deviceManagement${select.length > 0 ? `(${select.join(',')})` : ''}/$entity`, ...shown });
      }
      case 'gdapcustomers': {
        // Server-driven paging: at most `$top` (≤ 300) and the simulator's page size per page, then
        // an absolute @odata.nextLink carrying the query and a $skiptoken, as Graph writes it.
        const top = query.has('$top') ? Number(query.get('$top')) : GDAP_MAX_TOP;
        if (!Number.isInteger(top) || top < 1 || top > GDAP_MAX_TOP) return { ...graphError(400, 'BadRequest', `Invalid $top value '${query.get('$top')}': it must be between 1 and ${GDAP_MAX_TOP}.`), resource };
        const skip = Number(query.get('$skiptoken') ?? 0);
        const size = Math.min(top, sim.gdapPageSize);
        const select = (query.get('$select') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
        const shown = (c: GraphJson) => {
          const entity = v1Only(c, V1_PROPERTIES.delegatedAdminCustomer);
          const props = select.length === 0 ? entity : Object.fromEntries(Object.entries(entity).filter(([k]) => select.includes(k)));
          return { '@odata.type': '#microsoft.graph.delegatedAdminCustomer', '@odata.etag': `W/"${Buffer.from(String(c.id)).toString('base64')}"`, ...props };
        };
        const page = tenant.delegatedAdminCustomers.slice(skip, skip + size);
        const next = skip + size < tenant.delegatedAdminCustomers.length ? new URLSearchParams({ ...Object.fromEntries(query), $skiptoken: String(skip + size) }) : undefined;
        return ok({
          '@odata.context': `https://graph.microsoft.com/${version}/$metadata#tenantRelationships/delegatedAdminCustomers`,
          value: page.map(shown),
          ...(next ? { '@odata.nextLink': `${baseUrl}/${version}${path}?${next.toString()}` } : {}),
        });
      }
      case 'sendMail': {
        const from = decodeURIComponent(/\/users\/([^/]+)\/sendMail/i.exec(path)?.[1] ?? '');
        sim.mails.push({ tenantId: claims.tid, from, body, at: Date.now() });
        return { status: 202, headers: {}, resource };
      }
      case 'apnsPatch': {
        const input = (body ?? {}) as { appleIdentifier?: unknown; certificate?: unknown };
        const record: UploadRecord = { tenantId: claims.tid, appleIdentifier: input.appleIdentifier, certificate: input.certificate, at: Date.now(), applied: false };
        sim.uploads.push(record);
        if (typeof input.certificate !== 'string' || typeof input.appleIdentifier !== 'string') {
          return { ...graphError(400, 'BadRequest', 'appleIdentifier and certificate are required.'), resource };
        }
        let cert: X509Certificate;
        try {
          cert = new X509Certificate(input.certificate);
        } catch {
          return { ...graphError(400, 'BadRequest', 'The certificate could not be read.'), resource };
        }
        const topic = topicOf(cert);
        if (!topic) return { ...graphError(400, 'BadRequest', 'Not an Apple MDM push certificate.'), resource };
        if (!sim.ignoreUploads) {
          tenant.apns = {
            ...(tenant.apns ?? apnsFixture()),
            appleIdentifier: input.appleIdentifier,
            topicIdentifier: topic,
            certificateSerialNumber: cert.serialNumber.replace(/^0+(?=.)/, '').toUpperCase(),
            expirationDateTime: new Date(cert.validTo).toISOString(),
            lastModifiedDateTime: new Date().toISOString(),
            certificateUploadStatus: null,
            certificateUploadFailureReason: null,
            certificate: null,
          };
          record.applied = true;
        }
        return ok(version === 'v1.0' && tenant.apns ? v1Only(tenant.apns, V1_PROPERTIES.applePushNotificationCertificate) : tenant.apns);
      }
      default:
        return { ...graphError(400, 'BadRequest', `Resource not found for ${method} ${path}.`), resource };
    }
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  let audience = '';
  let baseUrl = '';
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const match = /^\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
    const text = await readBody(req);
    if (sim.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.latencyMs));
    const log: LoggedRequest = { method, path: url.pathname, tenantId: null, appId: null, resources: [], batch: false, startedAt, endedAt: 0, status: 0 };
    sim.requests.push(log);
    const send = (routed: Routed) => {
      log.status = routed.status;
      log.endedAt = Date.now();
      res.writeHead(routed.status, routed.headers);
      res.end(routed.raw ?? (routed.body === undefined ? undefined : JSON.stringify(routed.body)));
    };
    const claims = readToken(req.headers.authorization);
    if (!claims || normalizeAudience(claims.aud) !== audience || claims.exp * 1000 < Date.now()) {
      return send(graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'));
    }
    log.tenantId = claims.tid;
    log.appId = claims.appid;
    const tenant = tenantFor(claims.tid);
    if (!tenant) {
      // A token from a directory this Graph has no data for: refused like a token Graph cannot validate.
      return send(graphError(401, 'InvalidAuthenticationToken', `Access token validation failure. No data for tenant '${claims.tid}' in this Graph simulator.`));
    }
    if (!match) return send(graphError(400, 'BadRequest', 'Invalid version.'));
    const version = match[1] as string;
    const path = match[2] as string;
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return send(graphError(400, 'BadRequest', 'Unable to read JSON request payload.'));
      }
    }
    if (method === 'POST' && path === '/$batch') {
      log.batch = true;
      const fault = takeFault('batch', claims.tid);
      if (fault) return send(fault);
      const requests = (body as { requests?: unknown })?.requests;
      if (!Array.isArray(requests) || requests.length === 0) return send(graphError(400, 'BadRequest', 'Invalid batch payload format.'));
      if (requests.length > MAX_BATCH) return send(graphError(400, 'BadRequest', `The number of batch requests exceeds ${MAX_BATCH}.`));
      const responses = requests.map((item: { id?: unknown; method?: unknown; url?: unknown; body?: unknown }) => {
        const itemUrl = String(item.url ?? '');
        const itemUrlParsed = new URL(itemUrl.startsWith('/') ? itemUrl : `/${itemUrl}`, 'https://localhost');
        const routed = route(String(item.method ?? 'GET').toUpperCase(), itemUrlParsed.pathname, item.body, version, claims, tenant, itemUrlParsed.searchParams);
        log.resources.push(routed.resource);
        // Graph puts a non-JSON item body in the batch as a (base64) string.
        const itemBody = routed.raw !== undefined ? Buffer.from(routed.raw).toString('base64') : routed.body;
        return { id: String(item.id ?? ''), status: routed.status, headers: routed.headers, ...(itemBody === undefined ? {} : { body: itemBody }) };
      });
      return send({ status: 200, headers: { 'content-type': 'application/json' }, body: { responses }, resource: 'batch' });
    }
    if (method === 'PATCH' && sim.uploadDelayMs > 0) await new Promise((r) => setTimeout(r, sim.uploadDelayMs));
    const routed = route(method, path, body, version, claims, tenant, url.searchParams);
    log.resources.push(routed.resource);
    if (res.destroyed) {
      log.status = routed.status; // applied, but the caller had already hung up
      log.endedAt = Date.now();
      return;
    }
    send(routed);
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'SimulatorError', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? 'localhost';
  baseUrl = `https://${host}:${port}`;
  audience = baseUrl;

  return Object.assign(sim, {
    baseUrl,
    port,
    audience,
    addTenant(tenantId: string, data?: Partial<GraphTenant>) {
      const tenant = tenantData(data);
      sim.tenants.set(tenantId, tenant);
      return tenant;
    },
    tenantFor,
    addFault(fault: Fault) {
      faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    reset() {
      faults = [];
      sim.requests.length = 0;
      sim.uploads.length = 0;
      sim.mails.length = 0;
      sim.ignoreUploads = false;
      sim.uploadDelayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
