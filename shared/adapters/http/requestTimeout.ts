import type { HttpClient, PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';

/**
 * Sends `request` aborted after `timeoutMs`. Not `request.timeout`: the SDK's Node HTTP client leaves
 * that timer running when the connection is refused, which kept a finished CLI run alive for the
 * whole timeout. This timer is unref'd and always cleared, and the abort closes the socket, so a
 * peer that never answers holds neither the run nor the process.
 */
async function sendWithin(request: PipelineRequest, timeoutMs: number, send: (request: PipelineRequest) => Promise<PipelineResponse>): Promise<PipelineResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();
  const outer = request.abortSignal;
  request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, controller.signal]) : controller.signal;
  try {
    return await send(request);
  } finally {
    clearTimeout(timer);
    request.abortSignal = outer;
  }
}

/**
 * A per-try timeout for the Azure SDK clients (Key Vault, Table and Queue Storage): their pipelines
 * have no timeout of their own, so a peer that accepts the connection and never answers would hold
 * a run for the HTTP client's 300 s header timeout. Added with `additionalPolicies`.
 */
export function requestTimeoutPolicy(timeoutMs: number): { policy: PipelinePolicy; position: 'perRetry' } {
  return {
    policy: { name: 'apnsRequestTimeout', sendRequest: (request, next) => sendWithin(request, timeoutMs, next) },
    position: 'perRetry',
  };
}

/**
 * The same bound for `@azure/identity`'s token requests, as the credentials' `httpClient`: the
 * managed-identity credential replaces `additionalPolicies` with its own and MSAL drops the
 * caller's abort signal, so an identity endpoint that never answered kept the CLI alive after it
 * had printed its result. Every request to the identity endpoint or to Entra now ends in time.
 */
export function requestTimeoutHttpClient(inner: HttpClient, timeoutMs: number): HttpClient {
  return { sendRequest: (request) => sendWithin(request, timeoutMs, (r) => inner.sendRequest(r)) };
}

/** True for the error an SDK client (or fetch) raises when a request ran out of time. */
export function isTimeout(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'TimeoutError' || e.name === 'TokenTimeoutError' || e.code === 'ETIMEDOUT' || e.code === 'UND_ERR_HEADERS_TIMEOUT') return true;
  // The SDK pipelines abort a timed-out try and report an AbortError; this product never aborts an
  // SDK call for any other reason, so there an AbortError means the timeout fired.
  if (e.name === 'AbortError') return true;
  return e.cause !== undefined && e.cause !== error && isTimeout(e.cause);
}
