import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { toAppError } from '../../domain/errors';
import type { Logger } from '../../ports/logger';

/**
 * Every HTTP error answers `{error: {code, message, correlationId}}` with the status of its code.
 * The correlation id is the invocation id, so a person can find the log line; an unexpected error
 * is logged with its cause but answered with a generic message and never a stack trace.
 */
export function errorResponse(thrown: unknown, context: InvocationContext, logger: Logger): HttpResponseInit {
  const error = toAppError(thrown);
  const correlationId = context.invocationId;
  if (error.code === 'internal_error') {
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : String(error.cause);
    logger.error(`Unexpected error (correlation id ${correlationId}): ${cause}`);
  } else {
    logger.warn(`${error.code}: ${error.message} (correlation id ${correlationId})`);
  }
  return {
    status: error.status,
    jsonBody: { error: { code: error.code, message: error.describe(), correlationId } },
    headers: { 'cache-control': 'no-store' },
  };
}
