/**
 * Network failures as a person reads them. Only the error's code is ever shown, never its message:
 * Node's and the SDKs' messages carry URLs (a channel's URL is a secret) and addresses.
 */

// Node's system errors (ECONNREFUSED, ENOTFOUND, EAI_AGAIN…), undici's (UND_ERR_SOCKET…) and TLS's.
const NETWORK_CODE = /^(E[A-Z]{3,}|UND_ERR_[A-Z_]+|ERR_TLS_[A-Z_]+|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;
const MAX_DEPTH = 6;

/** The code of a network error in `error`, its causes or its aggregated errors; undefined if none. */
export function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number): string | undefined => {
    if (!e || typeof e !== 'object' || depth > MAX_DEPTH || seen.has(e)) return undefined;
    seen.add(e);
    const { code, errors, cause, body } = e as { code?: unknown; errors?: unknown; cause?: unknown; body?: unknown };
    if (typeof code === 'string' && NETWORK_CODE.test(code)) return code;
    // AggregateError (every address refused), and the Graph client's GraphError, which keeps the
    // fetch error it wraps in `body`.
    for (const inner of [...(Array.isArray(errors) ? errors : []), ...(typeof body === 'object' ? [body] : [])]) {
      const found = walk(inner, depth + 1);
      if (found) return found;
    }
    return walk(cause, depth + 1);
  };
  return walk(error, 0);
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN']);

/** "its host name could not be resolved (DNS: ENOTFOUND)", "the connection was refused (ECONNREFUSED)"… */
export function describeNetworkError(code: string): string {
  if (DNS.has(code)) return `its host name could not be resolved (DNS: ${code})`;
  if (code === 'ECONNREFUSED') return 'the connection was refused (ECONNREFUSED)';
  if (CLOSED.has(code)) return `the connection was closed before an answer (${code})`;
  if (TIMED_OUT.has(code)) return `the connection timed out (${code})`;
  if (UNREACHABLE.has(code)) return `the network is unreachable (${code})`;
  if (/CERT|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) return `its TLS certificate was not accepted (${code})`;
  return `network error ${code}`;
}
