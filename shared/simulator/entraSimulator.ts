import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeToken, normalizeAudience, readJwt, type TokenClaims } from './identitySimulator';

/**
 * Microsoft Entra ID (the v2.0 endpoints) over loopback HTTPS, as the real `@azure/identity`
 * credentials reach it with `authorityHost` = this simulator and `disableInstanceDiscovery: true`:
 * - OpenID metadata per tenant (MSAL Node fetches it for any authority that is not a Microsoft cloud);
 * - the client-credentials grant with a client assertion (workload identity federation: the
 *   assertion is the managed identity's token for `api://AzureADTokenExchange`), per-tenant consent
 *   states answered with the AADSTS errors Entra gives;
 * - the device-code grant for a person (public client), with `authorization_pending` polls first,
 *   and the refresh-token grant MSAL uses for later silent calls.
 * Tokens are unsigned JWT-shaped strings (see `makeToken`): only the simulators trust them.
 */

/** The audience a managed-identity token must have to be exchanged (workload identity federation). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Microsoft Azure CLI's public client id (what `az login` signs in with). */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
/** The delegated Graph permissions of an `az login` token: Azure CLI is pre-authorized for these, never for Intune's. */
export const AZURE_CLI_GRAPH_SCOPES = ['Application.ReadWrite.All', 'AuditLog.Read.All', 'Directory.AccessAsUser.All', 'Group.ReadWrite.All', 'User.ReadWrite.All'];

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MSAL_DEVICE_CODE_GRANT = 'device_code'; // what MSAL sends; Entra's v2.0 endpoint accepts both
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const DEVICE_CODE_LIFETIME_S = 900; // Entra: a device code is valid for 15 minutes

/**
 * Whether the customer tenant let the multi-tenant app in (SPEC §11), and what Entra answers if not:
 * `appNotFound` AADSTS700016, `noServicePrincipal` AADSTS7000229, `noConsent` AADSTS65001.
 */
export type TenantConsent = 'consented' | 'appNotFound' | 'noServicePrincipal' | 'noConsent';

export const AADSTS_FOR_CONSENT: Record<Exclude<TenantConsent, 'consented'>, number> = {
  appNotFound: 700016,
  noServicePrincipal: 7000229,
  noConsent: 65001,
};

export interface EntraUser {
  oid: string;
  upn: string;
  name: string;
}

export interface EntraTenant {
  tenantId: string;
  /** Directory name used in Entra's messages (default: the tenant id). */
  displayName: string;
  consent: TenantConsent;
  /** Application permissions granted to the multi-tenant app here (the token's `roles`). */
  roles: string[];
  /** Object id of the app's service principal in this tenant (the app token's `oid`). */
  servicePrincipalId: string;
  /** The person who signs in with a device code. */
  user: EntraUser;
}

export type EntraEndpoint = 'openid-configuration' | 'keys' | 'token' | 'devicecode' | 'devicelogin' | 'unknown';

export interface EntraRequest {
  endpoint: EntraEndpoint;
  method: string;
  /** The tenant segment of the path as sent (id, `organizations`, `common`). */
  tenant: string;
  grantType: string | null;
  clientId: string | null;
  /** Scopes as requested (OIDC scopes included). */
  scopes: string[];
  status: number;
  /** OAuth error (`invalid_grant`, `authorization_pending`…), null on success. */
  error: string | null;
  /** The AADSTS number of the error, null on success. */
  errorCode: number | null;
}

export interface IssuedToken {
  tenantId: string;
  grantType: string;
  clientId: string;
  kind: 'app' | 'delegated';
  accessToken: string;
  claims: TokenClaims;
  idToken?: string;
  refreshToken?: string;
}

export interface EntraSimulatorOptions {
  tls: { cert: string; key: string };
  /** Host name in `authorityHost` (default `localhost`). */
  host?: string;
  /** The multi-tenant app registration (`APNS_APP_CLIENT_ID`); default a random GUID. */
  appClientId?: string;
  /** The public client for device-code sign-in (`APNS_PUBLIC_CLIENT_ID`); default a random GUID. */
  publicClientId?: string;
  /** The managed identity the app's federated credential trusts (issuer tenant and subject). */
  federatedCredential?: FederatedCredential;
  /** Resource a scope without one refers to (`User.Read` → `<defaultResource>/User.Read`): the Graph simulator's origin. */
  defaultResource?: string;
  /** Delegated permissions the public client's registration lists, granted for `<resource>/.default`. */
  publicClientPermissions?: string[];
  /** Token-endpoint answers `authorization_pending` this many times per device code (default 1). */
  devicePendingPolls?: number;
  /** Device-code `interval` in seconds (default 1); MSAL sleeps exactly interval × 1000 ms, fractions included. */
  deviceCodeIntervalSeconds?: number;
  tokenLifetimeSeconds?: number;
}

export interface FederatedCredential {
  /** Tenant that issued the managed identity's token (the assertion's `tid`/issuer). */
  issuerTenantId: string;
  /** The managed identity's object id (the assertion's `sub`). */
  subject: string;
}

export interface EntraSimulator {
  /** `https://<host>:<port>` (no trailing slash): `AZURE_AUTHORITY_HOST` / the credentials' `authorityHost`. */
  authorityHost: string;
  port: number;
  appClientId: string;
  publicClientId: string;
  /** Which managed identity may exchange its token for the app's; undefined = none (AADSTS70021). */
  federatedCredential: FederatedCredential | undefined;
  tenants: Map<string, EntraTenant>;
  /** Registers (or updates) a directory; the first one added is the home of `organizations`/`common`. */
  addTenant(tenantId: string, options?: Partial<Omit<EntraTenant, 'tenantId'>>): EntraTenant;
  setConsent(tenantId: string, consent: TenantConsent): void;
  devicePendingPolls: number;
  deviceCodeIntervalSeconds: number;
  requests: EntraRequest[];
  issued: IssuedToken[];
  /** Every secret handed out (access, id and refresh tokens, device codes): none may appear in output. */
  tokens: string[];
  /** The `message` of every device-code answer, in order (what a CLI should show the person). */
  deviceCodeMessages: string[];
  /** Answer the next `count` token requests with this HTTP status (e.g. 503), before any other check. */
  failNext(status: number, count?: number): void;
  /**
   * Entra unreachable, for every request until cleared (or `reset`): `close` hangs up on each one
   * as it arrives (the client sees the connection reset), `hang` never answers. Requests are still
   * logged (status 0), so a test can count how many reached it.
   */
  setOutage(mode: 'close' | 'hang' | undefined): void;
  /** Forget requests, issued tokens, pending device codes and failures (tenants stay). */
  reset(): void;
  close(): Promise<void>;
}

interface EntraErrorSpec {
  status: number;
  error: string;
  code: number;
  description: string;
  suberror?: string;
}

interface DeviceCode {
  tenantId: string;
  clientId: string;
  scopes: string[];
  userCode: string;
  pendingLeft: number;
  expiresAt: number;
  redeemed: boolean;
}

interface RefreshGrant {
  tenantId: string;
  clientId: string;
}

/** Entra's timestamp format in error bodies: `2026-01-10 09:30:12Z`. */
const entraTimestamp = (at: Date) => at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ23456789'; // no vowels or look-alikes, like Entra's codes

function userCode(): string {
  return Array.from(randomBytes(9), (b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
}

/** `https://host/Scope.Name` → resource `https://host`, name `Scope.Name`; a bare name uses `fallback`. */
function splitScope(scope: string, fallback: string | undefined): { resource: string | undefined; name: string } {
  const slash = scope.lastIndexOf('/');
  if (slash < 0) return { resource: fallback, name: scope };
  return { resource: normalizeAudience(scope.slice(0, slash)), name: scope.slice(slash + 1) };
}

export async function startEntraSimulator(options: EntraSimulatorOptions): Promise<EntraSimulator> {
  const host = options.host ?? 'localhost';
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const deviceCodes = new Map<string, DeviceCode>();
  const refreshGrants = new Map<string, RefreshGrant>();
  let failures: { status: number; count: number } | undefined;
  let outage: 'close' | 'hang' | undefined;
  let authorityHost = '';
  let homeTenantId: string | undefined;

  const sim = {
    appClientId: options.appClientId ?? randomUUID(),
    publicClientId: options.publicClientId ?? randomUUID(),
    federatedCredential: options.federatedCredential,
    tenants: new Map<string, EntraTenant>(),
    devicePendingPolls: options.devicePendingPolls ?? 1,
    deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 1,
    requests: [] as EntraRequest[],
    issued: [] as IssuedToken[],
    tokens: [] as string[],
    deviceCodeMessages: [] as string[],
  };
  const publicClientPermissions = options.publicClientPermissions ?? ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All'];

  const addTenant = (tenantId: string, patch: Partial<Omit<EntraTenant, 'tenantId'>> = {}): EntraTenant => {
    const existing = sim.tenants.get(tenantId);
    const tenant: EntraTenant = existing
      ? Object.assign(existing, patch)
      : {
          tenantId,
          displayName: patch.displayName ?? tenantId,
          consent: patch.consent ?? 'consented',
          // What infra grants by default (enableRenewal): ReadWrite, which includes read.
          roles: patch.roles ?? ['DeviceManagementServiceConfig.ReadWrite.All'],
          servicePrincipalId: patch.servicePrincipalId ?? randomUUID(),
          user: patch.user ?? { oid: randomUUID(), upn: `intune-admin@${tenantId.slice(0, 8)}.onmicrosoft.com`, name: 'Intune Admin' },
        };
    sim.tenants.set(tenantId, tenant);
    homeTenantId ??= tenantId;
    return tenant;
  };

  /** `organizations`/`common` sign a person into their home tenant: the first one added. */
  const resolveTenant = (segment: string): EntraTenant | undefined => {
    if ((segment === 'organizations' || segment === 'common') && homeTenantId) return sim.tenants.get(homeTenantId);
    return sim.tenants.get(segment);
  };

  const errorBody = (spec: EntraErrorSpec, correlationId: string) => {
    const now = new Date();
    const traceId = randomUUID();
    const timestamp = entraTimestamp(now);
    return {
      error: spec.error,
      error_description: `AADSTS${spec.code}: ${spec.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [spec.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${authorityHost}/error?code=${spec.code}`,
      ...(spec.suberror ? { suberror: spec.suberror } : {}),
    };
  };

  const tenantNotFound = (segment: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 90002,
    description: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  });

  const appNotFound = (clientId: string, tenant: EntraTenant | { displayName: string }): EntraErrorSpec => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    description: `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  });

  const consentError = (tenant: EntraTenant, clientId: string): EntraErrorSpec | undefined => {
    switch (tenant.consent) {
      case 'consented':
        return undefined;
      case 'appNotFound':
        return appNotFound(clientId, tenant);
      case 'noServicePrincipal':
        return {
          status: 401,
          error: 'invalid_client',
          code: 7000229,
          description: `The client application ${clientId} is missing service principal in the tenant ${tenant.tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
        };
      case 'noConsent':
        return {
          status: 400,
          error: 'invalid_grant',
          code: 65001,
          suberror: 'consent_required',
          description: `The user or administrator has not consented to use the application with ID '${clientId}' named 'Intune APNs monitor'. Send an interactive authorization request for this user and resource.`,
        };
    }
  };

  /** Checks the client assertion against the app's federated credential, as Entra does. */
  const assertionError = (form: URLSearchParams): EntraErrorSpec | undefined => {
    if (form.get('client_secret')) {
      // The app has no secret (SPEC §11: a fleet never uses one).
      return { status: 401, error: 'invalid_client', code: 7000215, description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${sim.appClientId}'.` };
    }
    const assertion = form.get('client_assertion');
    if (!assertion) {
      return { status: 401, error: 'invalid_client', code: 7000216, description: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type." };
    }
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      return { status: 400, error: 'invalid_request', code: 700023, description: `The client_assertion_type must be '${JWT_BEARER}'.` };
    }
    const claims = readJwt(assertion);
    if (!claims) return { status: 400, error: 'invalid_request', code: 50027, description: 'JWT token is invalid or malformed.' };
    if (claims.exp * 1000 < Date.now()) {
      return { status: 401, error: 'invalid_client', code: 700024, description: 'Client assertion is not within its valid time range.' };
    }
    const fic = sim.federatedCredential;
    const subject = claims.sub ?? claims.oid;
    if (!fic || claims.tid !== fic.issuerTenantId || subject !== fic.subject) {
      return {
        status: 400,
        error: 'invalid_request',
        code: 70021,
        description: `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss ?? `https://login.microsoftonline.com/${claims.tid}/v2.0`}'. Assertion Subject: '${subject}'. Assertion Audience: '${claims.aud}'.`,
      };
    }
    if (normalizeAudience(claims.aud) !== TOKEN_EXCHANGE_AUDIENCE) {
      return { status: 400, error: 'invalid_request', code: 700212, description: `No matching federated identity record found for presented assertion audience '${claims.aud}'.` };
    }
    return undefined;
  };

  const accessToken = (claims: TokenClaims, issued: Omit<IssuedToken, 'accessToken' | 'claims'>) => {
    const token = makeToken(claims);
    sim.tokens.push(token);
    const record: IssuedToken = { ...issued, accessToken: token, claims };
    sim.issued.push(record);
    return record;
  };

  type Answer = { status: number; body: unknown; error?: string | null; errorCode?: number | null };
  const fail = (spec: EntraErrorSpec, correlationId: string): Answer => ({ status: spec.status, body: errorBody(spec, correlationId), error: spec.error, errorCode: spec.code });

  const clientCredentials = (tenant: EntraTenant, form: URLSearchParams, correlationId: string): Answer => {
    const clientId = form.get('client_id') ?? '';
    if (clientId !== sim.appClientId) return fail(appNotFound(clientId, tenant), correlationId);
    if (tenant.consent === 'appNotFound') return fail(appNotFound(clientId, tenant), correlationId);
    const badAssertion = assertionError(form);
    if (badAssertion) return fail(badAssertion, correlationId);
    const noConsent = consentError(tenant, clientId);
    if (noConsent) return fail(noConsent, correlationId);
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    if (scopes.length !== 1 || !scopes[0]?.endsWith('/.default')) {
      return fail(
        { status: 400, error: 'invalid_scope', code: 1002012, description: `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).` },
        correlationId,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: normalizeAudience(scopes[0]),
      iss: `https://sts.windows.net/${tenant.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      tid: tenant.tenantId,
      oid: tenant.servicePrincipalId,
      sub: tenant.servicePrincipalId,
      appid: clientId,
      azp: clientId,
      idtyp: 'app',
      ...(tenant.roles.length > 0 ? { roles: [...tenant.roles] } : {}), // Entra omits an empty roles claim
      ver: '1.0',
    };
    const record = accessToken(claims, { tenantId: tenant.tenantId, grantType: 'client_credentials', clientId, kind: 'app' });
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime - 1, ext_expires_in: lifetime - 1, access_token: record.accessToken } };
  };

  /** A person's token for the requested resource: what MSAL's public client needs (id_token, client_info, refresh_token). */
  const delegated = (tenant: EntraTenant, clientId: string, requested: string[], grantType: string, correlationId: string): Answer => {
    const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s)).map((s) => splitScope(s, options.defaultResource));
    const resources = new Set(resourceScopes.map((s) => s.resource));
    if (resources.has(undefined)) {
      return fail({ status: 400, error: 'invalid_scope', code: 70011, description: `The provided value for the input parameter 'scope' is not valid. The scope ${requested.join(' ')} is not valid.` }, correlationId);
    }
    if (resources.size > 1) {
      return fail({ status: 400, error: 'invalid_request', code: 28000, description: 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ' + requested.join(' ') + ' is not valid.' }, correlationId);
    }
    const resource = [...resources][0] ?? options.defaultResource ?? '00000003-0000-0000-c000-000000000000';
    const names = resourceScopes.map((s) => s.name);
    // Azure CLI is pre-authorized for a fixed set of Graph permissions, never Intune's; `.default` gives an app its listed ones.
    const granted = clientId === AZURE_CLI_CLIENT_ID ? AZURE_CLI_GRAPH_SCOPES : names.includes('.default') ? publicClientPermissions : names;
    const now = Math.floor(Date.now() / 1000);
    const { user } = tenant;
    const claims: TokenClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${tenant.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      tid: tenant.tenantId,
      oid: user.oid,
      sub: user.oid,
      appid: clientId,
      azp: clientId,
      idtyp: 'user',
      scp: granted.join(' '),
      upn: user.upn,
      preferred_username: user.upn,
      name: user.name,
      ver: '1.0',
    };
    const idToken = makeToken({
      ver: '2.0',
      iss: `${authorityHost}/${tenant.tenantId}/v2.0`,
      aud: clientId,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      tid: tenant.tenantId,
      oid: user.oid,
      sub: user.oid,
      appid: clientId,
      name: user.name,
      preferred_username: user.upn,
    });
    const refreshToken = `rt.${randomBytes(32).toString('base64url')}`;
    refreshGrants.set(refreshToken, { tenantId: tenant.tenantId, clientId });
    sim.tokens.push(idToken, refreshToken);
    const record = accessToken(claims, { tenantId: tenant.tenantId, grantType, clientId, kind: 'delegated', idToken, refreshToken });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: [...granted.map((name) => `${resource}/${name}`), ...requested.filter((s) => OIDC_SCOPES.has(s))].join(' '),
        expires_in: lifetime - 1,
        ext_expires_in: lifetime - 1,
        access_token: record.accessToken,
        refresh_token: refreshToken,
        id_token: idToken,
        // MSAL keys the account on client_info (uid.utid).
        client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: tenant.tenantId })).toString('base64url'),
      },
    };
  };

  const publicClientKnown = (clientId: string) => clientId === sim.publicClientId || clientId === AZURE_CLI_CLIENT_ID;

  const deviceCode = (tenant: EntraTenant, form: URLSearchParams, correlationId: string): Answer => {
    const clientId = form.get('client_id') ?? '';
    if (!publicClientKnown(clientId)) return fail(appNotFound(clientId, tenant), correlationId);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0) return fail({ status: 400, error: 'invalid_request', code: 900144, description: "The request body must contain the following parameter: 'scope'." }, correlationId);
    const code = `dc.${randomBytes(32).toString('base64url')}`;
    const entry: DeviceCode = {
      tenantId: tenant.tenantId,
      clientId,
      scopes,
      userCode: userCode(),
      pendingLeft: sim.devicePendingPolls,
      expiresAt: Date.now() + DEVICE_CODE_LIFETIME_S * 1000,
      redeemed: false,
    };
    deviceCodes.set(code, entry);
    sim.tokens.push(code);
    const verificationUri = `${authorityHost}/devicelogin`;
    const message = `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${entry.userCode} to authenticate.`;
    sim.deviceCodeMessages.push(message);
    return {
      status: 200,
      body: { user_code: entry.userCode, device_code: code, verification_uri: verificationUri, expires_in: DEVICE_CODE_LIFETIME_S, interval: sim.deviceCodeIntervalSeconds, message },
    };
  };

  const deviceCodeToken = (form: URLSearchParams, correlationId: string): Answer => {
    const entry = deviceCodes.get(form.get('device_code') ?? '');
    if (!entry || entry.redeemed || entry.clientId !== form.get('client_id')) {
      return fail({ status: 400, error: 'invalid_grant', code: 70000, description: "The provided value for the 'device_code' is not valid." }, correlationId);
    }
    if (Date.now() > entry.expiresAt) return fail({ status: 400, error: 'expired_token', code: 70020, description: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.' }, correlationId);
    if (entry.pendingLeft > 0) {
      entry.pendingLeft--;
      return fail({ status: 400, error: 'authorization_pending', code: 70016, description: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' }, correlationId);
    }
    entry.redeemed = true;
    const tenant = sim.tenants.get(entry.tenantId);
    if (!tenant) return fail(tenantNotFound(entry.tenantId), correlationId);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    return delegated(tenant, entry.clientId, scopes.length > 0 ? scopes : entry.scopes, DEVICE_CODE_GRANT, correlationId);
  };

  const refreshToken = (form: URLSearchParams, correlationId: string): Answer => {
    const grant = refreshGrants.get(form.get('refresh_token') ?? '');
    const tenant = grant && sim.tenants.get(grant.tenantId);
    if (!grant || !tenant || grant.clientId !== form.get('client_id')) {
      return fail({ status: 400, error: 'invalid_grant', code: 9002313, description: 'Invalid request. Request is malformed or invalid.' }, correlationId);
    }
    return delegated(tenant, grant.clientId, (form.get('scope') ?? '').split(' ').filter(Boolean), 'refresh_token', correlationId);
  };

  const openIdConfiguration = (segment: string) => {
    const base = `${authorityHost}/${segment}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${authorityHost}/${segment === 'common' || segment === 'organizations' ? '{tenantid}' : segment}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: options.defaultResource ? new URL(options.defaultResource).host : 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', authorityHost);
    const text = await readBody(req);
    const form = new URLSearchParams(method === 'POST' ? text : '');
    const header = req.headers['client-request-id'];
    const correlationId = (Array.isArray(header) ? header[0] : header) ?? randomUUID();
    const segments = url.pathname.split('/').filter(Boolean);
    const segment = decodeURIComponent(segments[0] ?? '');
    const rest = segments.slice(1).join('/');
    const endpoint: EntraEndpoint =
      rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration'
        ? 'openid-configuration'
        : rest === 'discovery/v2.0/keys'
          ? 'keys'
          : rest === 'oauth2/v2.0/token'
            ? 'token'
            : rest === 'oauth2/v2.0/devicecode'
              ? 'devicecode'
              : segment === 'devicelogin'
                ? 'devicelogin'
                : 'unknown';
    const log: EntraRequest = {
      endpoint,
      method,
      tenant: segment,
      grantType: form.get('grant_type'),
      clientId: form.get('client_id'),
      scopes: (form.get('scope') ?? '').split(' ').filter(Boolean),
      status: 0,
      error: null,
      errorCode: null,
    };
    sim.requests.push(log);
    if (outage === 'close') return void req.socket.destroy();
    if (outage === 'hang') return;
    const send = (answer: Answer, contentType = 'application/json; charset=utf-8') => {
      log.status = answer.status;
      log.error = answer.error ?? null;
      log.errorCode = answer.errorCode ?? null;
      res.writeHead(answer.status, { 'content-type': contentType, 'cache-control': 'no-store, no-cache', 'x-ms-request-id': randomUUID() });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    };

    if (endpoint === 'devicelogin') return send({ status: 200, body: 'Simulated device login: the test approves the code itself.' }, 'text/plain; charset=utf-8');
    if (endpoint === 'unknown') return send({ status: 404, body: { error: 'not_found', error_description: `No simulated endpoint at ${method} ${url.pathname}` }, error: 'not_found' });
    const tenant = resolveTenant(segment);
    // MSAL has built-in metadata for any tenant of the Microsoft clouds, so there an unknown tenant is
    // first reported by the token endpoint (AADSTS90002). Serving metadata for every tenant keeps that.
    if (endpoint === 'openid-configuration' && method === 'GET') return send({ status: 200, body: openIdConfiguration(segment) });
    if (endpoint === 'keys') return send({ status: 200, body: { keys: [] } }); // tokens are unsigned
    if (method !== 'POST') return send(fail({ status: 400, error: 'invalid_request', code: 900561, description: 'The endpoint only accepts POST requests.' }, correlationId));
    if (endpoint === 'token' && failures && failures.count > 0) {
      failures.count--;
      return send(fail({ status: failures.status, error: 'temporarily_unavailable', code: 90033, description: `Simulated ${failures.status}.` }, correlationId));
    }
    if (!tenant) return send(fail(tenantNotFound(segment), correlationId));
    if (endpoint === 'devicecode') return send(deviceCode(tenant, form, correlationId));
    switch (log.grantType) {
      case 'client_credentials':
        return send(clientCredentials(tenant, form, correlationId));
      case DEVICE_CODE_GRANT:
      case MSAL_DEVICE_CODE_GRANT:
        return send(deviceCodeToken(form, correlationId));
      case 'refresh_token':
        return send(refreshToken(form, correlationId));
      default:
        return send(fail({ status: 400, error: 'unsupported_grant_type', code: 70003, description: `The app requested an unsupported grant type '${log.grantType ?? ''}'.` }, correlationId));
    }
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: `Simulator error: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  authorityHost = `https://${host}:${port}`;

  return Object.assign(sim, {
    authorityHost,
    port,
    addTenant,
    setConsent(tenantId: string, consent: TenantConsent) {
      addTenant(tenantId, { consent });
    },
    failNext(status: number, count = 1) {
      failures = { status, count };
    },
    setOutage(mode: 'close' | 'hang' | undefined) {
      outage = mode;
    },
    reset() {
      failures = undefined;
      outage = undefined;
      deviceCodes.clear();
      refreshGrants.clear();
      sim.requests.length = 0;
      sim.issued.length = 0;
      sim.tokens.length = 0;
      sim.deviceCodeMessages.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
