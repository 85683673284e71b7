import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { BodyTooLargeError, readBoundedText } from '../http/readBoundedBody';

/**
 * The fleet's sign-in to a customer tenant (SPEC §11): the OAuth 2.0 client-credentials grant at
 * `<authority>/<tenant>/oauth2/v2.0/token` with the managed identity's token as the client assertion
 * (Microsoft identity platform, "OAuth 2.0 client credentials flow", access token request with a
 * federated credential: `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).
 *
 * It is the one request `ClientAssertionCredential` makes, made directly, for every tenant through
 * one client: with a thousand tenants, a credential (an MSAL application) per tenant cost about 1 ms
 * of CPU per tenant, and one MSAL application for every tenant rescans its whole token cache on each
 * sign-in (quadratic in the fleet); the figures are in `npm run bench` and the README.
 * It also skips MSAL's OpenID metadata request, which MSAL sends per tenant for an authority it has
 * no built-in metadata for. The token cache and the shared in-flight fetch are `sharedCredential`'s.
 * The managed identity, the device code and `az login` stay with `@azure/identity`.
 */
export interface ClientAssertionGrantOptions {
  /** `AZURE_AUTHORITY_HOST`, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** The multi-tenant app (`APNS_APP_CLIENT_ID`). */
  clientId: string;
  /** The client assertion: the managed identity's token for the token exchange audience. */
  assertion: () => Promise<string>;
  /** Each request is aborted after this long (`APNS_HTTP_TIMEOUT_SECONDS`). */
  timeoutMs: number;
  /** Waits before the 2nd and 3rd try of a request Entra could not answer (5xx, 429, network), as the SDK did. */
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Entra answered with an OAuth error: `errorResponse` is its body (AADSTS code in `error_codes`). */
export class EntraTokenError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorResponse: { error?: string; error_description?: string; error_codes?: number[] },
  ) {
    // The error word and Entra's description (AADSTS code, meaning, trace ids): never the request, whose body holds the assertion.
    super(`${errorResponse.error ?? `HTTP ${statusCode}`}: ${errorResponse.error_description ?? 'no description'}`);
    this.name = 'AuthenticationError';
  }
}

const RETRY_DELAYS_MS = [500, 1000];
const RETRIABLE = new Set([429, 500, 502, 503, 504]);
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
// Far above a token answer (~2 KB); a peer that streams without end is cut here (BodyTooLargeError).
const MAX_ANSWER_BYTES = 256 * 1024;

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
  });

/** A credential per tenant over one client: `forTenant(T).getToken(scopes)` signs in to T. */
export function createClientAssertionGrant(options: ClientAssertionGrantOptions): { forTenant(tenantId: string): TokenCredential } {
  const authority = options.authorityHost.replace(/\/+$/, '');
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;

  async function request(tenantId: string, scopes: string[], outer: AbortSignal | undefined): Promise<AccessToken> {
    const url = `${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    const assertion = await options.assertion();
    const body = new URLSearchParams({ client_id: options.clientId, scope: scopes.join(' '), grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion }).toString();
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal });
        status = response.status;
        text = await readBoundedText(response, MAX_ANSWER_BYTES);
      } catch (error) {
        // Aborted (timeout or the caller) and an endless answer are final; a network failure is tried again, as the SDK did.
        if (signal.aborted || error instanceof BodyTooLargeError || attempt >= delays.length) throw error;
        await sleep(delays[attempt] as number);
        continue;
      }
      const answer = parseAnswer(text);
      if (status === 200 && typeof answer.access_token === 'string' && answer.access_token) {
        const expiresIn = Number(answer.expires_in);
        // Entra says how long the token lives; without it, an hour (its default for app tokens).
        return { token: answer.access_token, expiresOnTimestamp: now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000, tokenType: 'Bearer' };
      }
      if (RETRIABLE.has(status) && attempt < delays.length) {
        await sleep(delays[attempt] as number);
        continue;
      }
      throw new EntraTokenError(status, {
        ...(typeof answer.error === 'string' ? { error: answer.error } : {}),
        ...(typeof answer.error_description === 'string' ? { error_description: answer.error_description } : {}),
        ...(Array.isArray(answer.error_codes) ? { error_codes: answer.error_codes.filter((c): c is number => typeof c === 'number') } : {}),
      });
    }
  }

  return {
    forTenant(tenantId) {
      return {
        getToken: (scopes: string | string[], getOptions?: GetTokenOptions) => request(tenantId, Array.isArray(scopes) ? scopes : [scopes], getOptions?.abortSignal as AbortSignal | undefined),
      };
    },
  };
}

/** Entra's JSON answer, or an empty object for anything else (a proxy's HTML page, a cut answer). */
function parseAnswer(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
