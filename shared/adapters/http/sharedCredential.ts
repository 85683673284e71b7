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
}

export function sharedCredential(inner: TokenCredential, options: { timeoutMs: number; now?: () => number }): SharedCredential {
  const now = options.now ?? Date.now;
  const cache = new Map<string, AccessToken>();
  const inFlight = new Map<string, Promise<AccessToken | null>>();
  let fetches = 0;

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
    return Promise.race([inner.getToken(scopes, { ...getOptions, abortSignal: signal }), timeout]).finally(() => clearTimeout(timer));
  };

  return {
    get fetches() {
      return fetches;
    },
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
