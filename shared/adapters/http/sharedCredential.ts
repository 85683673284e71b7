import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/**
 * Wraps a credential so that:
 * - concurrent callers for the same scopes share one in-flight token request (a cold check sends two
 *   Graph batches at once; without this each asked for its own token);
 * - a token is reused until five minutes before it expires (one token per tenant per hour);
 * - a token request that never answers fails after `timeoutMs` with `TokenTimeoutError`, inside the
 *   run's budget, instead of holding the run until the platform kills it.
 * The credential's own caches stay in place; this only decides when to ask it.
 */
export class TokenTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no access token within ${Math.round(timeoutMs / 1000)} s (timed out)`);
    this.name = 'TokenTimeoutError';
  }
}

const REFRESH_MARGIN_MS = 5 * 60_000;

export interface SharedCredential extends TokenCredential {
  /** How many token requests reached the wrapped credential (benchmarks, tests). */
  readonly fetches: number;
  /** The client id the last token was issued to (`appid`/`azp`): tells `az login` apart. Never logged. */
  lastAppId(): string | undefined;
  /** The signed-in person of the last token (`upn`/`preferred_username`), for "signed in as". */
  lastUser(): string | undefined;
}

interface TokenIdentity {
  appId: string | undefined;
  user: string | undefined;
}

/** Who a JWT access token was issued to, without verifying it (only for messages and hints). */
export function identityOf(token: string): TokenIdentity {
  const payload = token.split('.')[1];
  if (!payload) return { appId: undefined, user: undefined };
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { appId: text(claims.appid) ?? text(claims.azp), user: text(claims.upn) ?? text(claims.preferred_username) };
  } catch {
    return { appId: undefined, user: undefined }; // not a JWT (some credentials issue opaque tokens)
  }
}

export function sharedCredential(inner: TokenCredential, options: { timeoutMs: number; now?: () => number }): SharedCredential {
  const now = options.now ?? Date.now;
  const cache = new Map<string, AccessToken>();
  const inFlight = new Map<string, Promise<AccessToken | null>>();
  let fetches = 0;
  let last: TokenIdentity = { appId: undefined, user: undefined };

  const fetchToken = (scopes: string | string[], getOptions: GetTokenOptions | undefined): Promise<AccessToken | null> => {
    fetches++;
    const controller = new AbortController();
    const outer = getOptions?.abortSignal;
    const signal = outer ? AbortSignal.any([outer as AbortSignal, controller.signal]) : controller.signal;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TokenTimeoutError(options.timeoutMs));
      }, options.timeoutMs);
    });
    return Promise.race([inner.getToken(scopes, { ...getOptions, abortSignal: signal }), timeout])
      .then((token) => {
        if (token) last = identityOf(token.token);
        return token;
      })
      .finally(() => clearTimeout(timer));
  };

  return {
    get fetches() {
      return fetches;
    },
    lastAppId: () => last.appId,
    lastUser: () => last.user,
    async getToken(scopes, getOptions) {
      // Claims challenges and explicit tenants are rare and must not be served from the cache.
      if (getOptions?.claims || getOptions?.tenantId) return fetchToken(scopes, getOptions);
      const key = (Array.isArray(scopes) ? scopes : [scopes]).join(' ');
      const cached = cache.get(key);
      if (cached && cached.expiresOnTimestamp - REFRESH_MARGIN_MS > now()) return cached;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchToken(scopes, getOptions)
          .then((token) => {
            if (token) cache.set(key, token);
            return token;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}
