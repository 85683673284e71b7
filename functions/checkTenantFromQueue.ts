import { app, type InvocationContext } from '@azure/functions';
import { checkDepsFor, checkOptionsFor, createSharedCheckServices, fleetHealthReport, withRegisteredTenants } from '../shared/composition/createServices';
import { flushSoon, functionServices } from '../shared/composition/functionServices';
import { tenantOfMessage } from '../shared/adapters/functions/tenantCheckMessage';
import { TENANT_CHECK_QUEUE, type AppConfig, type TenantRef } from '../shared/config/loadConfig';
import { AppError, toAppError } from '../shared/domain/errors';
import { checkExpiry, runFailure } from '../shared/useCases/checkExpiry';
import { summarizeRun } from '../shared/useCases/summarizeRun';

/**
 * One fleet tenant's check, one message at a time (Flex Consumption scales these out on queue
 * length; host.json bounds each instance). A run that failed for a reason worth retrying
 * (throttling, a timeout, a channel or the state store down) throws, so the host makes the message
 * visible again and, after maxDequeueCount tries, moves it to the poison queue. A failure that a
 * retry cannot fix (consent missing, a permission) is already the tenant's monitor alert: the
 * message completes. Re-delivery never double-sends: the state's claims decide what goes out.
 * A failure every tenant shares (the sign-in, Graph unreachable: SPEC §15) raises the fleet's one
 * alert instead of the tenant's — however many invocations report it, its state record's claims
 * send it once — and is retried like any; a check that gets through resolves it.
 */
export async function checkTenantFromQueue(message: unknown, context: InvocationContext): Promise<void> {
  const services = functionServices(context);
  const logger = services.logger;
  const { config } = services;
  const shared = await createSharedCheckServices(config, { logger, access: await services.access, kept: await services.kept() });
  let watched: Promise<AppConfig> | undefined;
  const watchedConfig = () => (watched ??= withRegisteredTenants(config, shared.registry));
  try {
    const tenant = await tenantOfMessage(message, config, watchedConfig, logger);
    if (!tenant) return;
    const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
    // The fleet's size names its one alert; a registry that cannot be read must not hold that alert back.
    // A good check only resolves an open alert: it reads the registry for the size only if read already.
    const fleetHealth = async (cause?: AppError) => {
      const total = cause || watched ? await watchedConfig().then((c) => c.tenants.length, () => config.tenants.length) : config.tenants.length;
      await fleetHealthReport(config, shared)({ tried: 1, notTried: 0, total, ...(cause ? { cause } : {}) });
    };
    await checkOneTenant(tenant, dequeueCount, fleetHealth);
  } finally {
    // Exported with the other invocations of the next second, not awaited here (functionServices).
    flushSoon(shared.telemetry);
  }

  async function checkOneTenant(tenant: TenantRef, dequeueCount: number, fleetHealth: (cause?: AppError) => Promise<void>): Promise<void> {
    try {
      const report = await checkExpiry(await checkDepsFor(config, shared, tenant, logger), checkOptionsFor(config, tenant, { deferSharedCause: config.fleet }));
      logger.info(summarizeRun(report), { tenantId: tenant.id, worst: report.worst, dequeueCount });
      if (report.sharedCause) {
        await fleetHealth(report.sharedCause);
        const retried = report.sharedCause.retriable;
        logger.warn(`The check of tenant ${tenant.name} (${tenant.id}) failed for a cause every tenant shares (try ${dequeueCount}); the fleet's alert says so${retried ? ' and the queue retries it' : ''}: ${report.sharedCause.describe()}`, { code: report.sharedCause.code });
        if (retried) throw report.sharedCause;
        return;
      }
      const failure = runFailure(report);
      if (!failure) {
        await fleetHealth(); // resolves the fleet's alert, if it was raised
        return;
      }
      if (failure.retriable || report.stateFailure || report.deliveryFailed) {
        logger.warn(`The check of tenant ${tenant.name} (${tenant.id}) failed (try ${dequeueCount}); the queue retries it: ${failure.describe()}`, { code: failure.code });
        throw failure;
      }
      logger.error(`The check of tenant ${tenant.name} (${tenant.id}) cannot read Intune; its monitor alert says why: ${failure.describe()}`, { code: failure.code });
    } catch (error) {
      if (!(error instanceof AppError)) logger.error(`The check of tenant ${tenant.id} failed unexpectedly (try ${dequeueCount}): ${toAppError(error).message}`);
      throw error;
    }
  }
}

app.storageQueue('checkTenantFromQueue', { queueName: TENANT_CHECK_QUEUE, connection: 'AzureWebJobsStorage', handler: checkTenantFromQueue });
