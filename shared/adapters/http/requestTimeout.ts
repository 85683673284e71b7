import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * A per-try timeout for the Azure SDK clients (Key Vault, Table and Queue Storage): their pipelines
 * have no timeout of their own, so a peer that accepts the connection and never answers would hold
 * a run for the HTTP client's 300 s header timeout. Added with `additionalPolicies`.
 * Not `request.timeout`: the SDK's Node HTTP client leaves that timer running when the connection
 * is refused, which kept a finished CLI run alive for the whole timeout. This one is always cleared.
 */
export function requestTimeoutPolicy(timeoutMs: number): { policy: PipelinePolicy; position: 'perRetry' } {
  return {
    policy: {
      name: 'apnsRequestTimeout',
      async sendRequest(request, next) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        timer.unref();
        const outer = request.abortSignal;
        request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, controller.signal]) : controller.signal;
        try {
          return await next(request);
        } finally {
          clearTimeout(timer);
          request.abortSignal = outer;
        }
      },
    },
    position: 'perRetry',
  };
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
