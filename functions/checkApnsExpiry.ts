import { app, type InvocationContext, type Timer } from '@azure/functions';
import { checkOptionsFrom, createCheckDeps, createTenantCheckQueue, watchedForRun } from '../shared/composition/createServices';
import { fallbackLogger, flushSoon, functionServices } from '../shared/composition/functionServices';
import { toAppError } from '../shared/domain/errors';
import { summarizeRun } from '../shared/useCases/summarizeRun';
import { checkExpiry, runFailure } from '../shared/useCases/checkExpiry';
import { enqueueTenantChecks } from '../shared/useCases/checkFleet';

/**
 * The monitoring run on a timer. One tenant: it checks it, records every outcome, then throws when
 * the run failed (Intune unreadable, a channel still refusing) so the platform counts a failed
 * invocation and the retry policy runs it again; state keeps the retry from sending twice.
 * A fleet (APNS_TENANTS): it only enqueues one message per tenant on `apns-tenant-checks` — the
 * setting's tenants and the registry's, read now (a tenant added since the last run is checked on this
 * one); the queue-triggered `checkTenantFromQueue` instances, scaled by the platform, do the checks.
 */
export async function checkApnsExpiry(timer: Timer, context: InvocationContext): Promise<void> {
  let logger = fallbackLogger(context);
  try {
    const services = functionServices(context);
    logger = services.logger;
    if (timer.isPastDue) logger.warn('The timer is past due: this run is late (the app was stopped or busy at the scheduled time).');
    const { config } = services;
    const access = await services.access;
    if (config.fleet) {
      // The process keeps its state storage (the registry beside the state), as the checks do.
      const [queue, { registry }] = await Promise.all([createTenantCheckQueue(config, access.home), services.kept()]);
      // The registry unreadable: the setting's tenants are still enqueued, then the invocation fails (and is retried).
      const { config: watched, registryFailure } = await watchedForRun(config, registry);
      const count = await enqueueTenantChecks(queue, watched.tenants, context.invocationId, Date.now());
      const registered = watched.tenants.length - config.tenants.length;
      logger.info(`Enqueued the checks of ${count} tenant${count === 1 ? '' : 's'} (${registered} of them from the registry) on ${queue.location}.`, { tenants: count, registered });
      if (registryFailure) throw registryFailure;
      return;
    }
    const deps = await createCheckDeps(config, { logger, access, kept: await services.kept() });
    try {
      const report = await checkExpiry(deps, checkOptionsFrom(config));
      logger.info(summarizeRun(report), { worst: report.worst, durationMs: report.durationMs });
      const failure = runFailure(report);
      if (failure) throw failure;
    } finally {
      // The run's result does not wait for Application Insights to load and export (functionServices).
      flushSoon(deps.telemetry);
    }
  } catch (error) {
    // Recorded first (state, alerts, telemetry); thrown so the platform counts the failure and retries.
    const appError = toAppError(error);
    const detail = appError.code === 'internal_error' && error instanceof Error ? `Unexpected ${error.name}: ${error.message}` : appError.describe();
    logger.error(detail, { code: appError.code, invocationId: context.invocationId });
    throw error;
  }
}

app.timer('checkApnsExpiry', {
  schedule: '%APNS_CHECK_SCHEDULE%',
  // A failed run (Graph throttling past its bound, a channel down) is tried again a few times.
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 15 } },
  handler: checkApnsExpiry,
});
