import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The App Service managed-identity endpoint (API 2019-08-01), on loopback http: what
 * `DefaultAzureCredential` calls when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set, exactly as
 * it does inside a Function App. Tokens are unsigned JWT-shaped strings whose payload names the
 * audience, so the Graph and Key Vault simulators can check the token was asked for them.
 */
export interface IdentityRequest {
  resource: string;
  clientId: string | null;
  at: number;
}

export interface IdentitySimulator {
  endpoint: string;
  header: string;
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  tenantId: string;
  /** Object id of the managed identity (`oid` and `sub` of its tokens): what a federated credential trusts. */
  principalId: string;
  requests: IdentityRequest[];
  /** Every access token issued (so tests can prove none of them leaks into a log). */
  tokens: string[];
  /** Answer the next `count` token requests with this status (e.g. 500, or 400 for an unknown identity). */
  failNext(status: number, count?: number): void;
  /**
   * The application permissions granted to the identity (its tokens' `roles` claim, as Entra issues
   * them once app roles are assigned). Undefined (the default): tokens carry no `roles` claim and the
   * Graph simulator lets them read, as when the grants are not what a test is about.
   */
  roles: string[] | undefined;
  close(): Promise<void>;
}

export interface TokenClaims {
  aud: string;
  tid: string;
  oid: string;
  appid: string;
  exp: number;
  iat: number;
  nbf?: number;
  iss?: string;
  sub?: string;
  azp?: string;
  /** `app` for an application token, `user` for a delegated one (Graph's optional claim). */
  idtyp?: 'app' | 'user';
  /** Application permissions; Entra omits the claim when none are granted. */
  roles?: string[];
  /** Delegated permissions, space separated. */
  scp?: string;
  upn?: string;
  preferred_username?: string;
  name?: string;
  ver?: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function makeToken(claims: TokenClaims): string {
  return `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url(claims)}.${randomBytes(16).toString('base64url')}`;
}

/** Reads the claims of a simulator JWT (no signature: only simulators trust these). */
export function readJwt(jwt: string | undefined): TokenClaims | undefined {
  const match = /^([^.\s]+)\.([^.\s]+)\.([^\s]*)$/.exec(jwt ?? '');
  if (!match?.[2]) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(match[2], 'base64url').toString('utf8')) as TokenClaims;
    return typeof claims.aud === 'string' ? claims : undefined;
  } catch {
    return undefined; // not JSON: not one of ours, the caller answers 401
  }
}

/** Reads the claims of the bearer token in an Authorization header. */
export function readToken(authorization: string | undefined): TokenClaims | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match ? readJwt(match[1]) : undefined;
}

/** Audience as Entra writes it for a resource URI: no trailing slash. */
export function normalizeAudience(resource: string): string {
  return resource.replace(/\/+$/, '').replace(/\/\.default$/, '');
}

export async function startIdentitySimulator(
  options: { tenantId?: string; clientId?: string; principalId?: string; tokenLifetimeSeconds?: number; roles?: string[] } = {},
): Promise<IdentitySimulator> {
  const header = randomBytes(16).toString('hex');
  const tenantId = options.tenantId ?? randomUUID();
  const principal = options.principalId ?? randomUUID();
  const requests: IdentityRequest[] = [];
  const tokens: string[] = [];
  let failures: { status: number; count: number } | undefined;
  const sim: { roles: string[] | undefined } = { roles: options.roles };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/msi/token') return send(404, { error: 'not_found' });
    if (req.headers['x-identity-header'] !== header) return send(401, { error: 'unauthorized', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
    if (url.searchParams.get('api-version') !== '2019-08-01') return send(400, { error: 'invalid_request', error_description: 'api-version 2019-08-01 expected' });
    const resource = url.searchParams.get('resource');
    if (!resource) return send(400, { error: 'invalid_request', error_description: 'resource is required' });
    const clientId = url.searchParams.get('client_id');
    requests.push({ resource, clientId, at: Date.now() });
    if (failures && failures.count > 0) {
      failures.count--;
      return send(failures.status, { error: 'simulated_failure', error_description: `simulated ${failures.status}` });
    }
    if (options.clientId && clientId && clientId !== options.clientId) {
      return send(400, { error: 'invalid_request', error_description: 'Unable to load the proper Managed Identity.' });
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.tokenLifetimeSeconds ?? 3600);
    const aud = normalizeAudience(resource);
    // Like a real managed-identity token: issued by the home tenant, subject = the identity's object id.
    const access_token = makeToken({
      aud,
      iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
      tid: tenantId,
      oid: principal,
      sub: principal,
      appid: clientId ?? options.clientId ?? principal,
      iat: now,
      exp,
      ...(sim.roles === undefined ? {} : { idtyp: 'app' as const, roles: [...sim.roles] }),
    });
    tokens.push(access_token);
    send(200, { access_token, expires_on: String(exp), resource, token_type: 'Bearer', client_id: clientId ?? options.clientId ?? principal });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/msi/token`;
  const simulator: IdentitySimulator = Object.assign(sim, {
    endpoint,
    header,
    env: { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: header },
    tenantId,
    principalId: principal,
    requests,
    tokens,
    failNext(status: number, count = 1) {
      failures = { status, count };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return simulator;
}
