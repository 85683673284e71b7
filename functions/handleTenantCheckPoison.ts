import { app, type InvocationContext } from '@azure/functions';
import { enqueuedAtOf, tenantOfMessage } from '../shared/adapters/functions/tenantCheckMessage';
import { checkDepsFor, checkOptionsFor, createSharedCheckServices, withRegisteredTenants } from '../shared/composition/createServices';
import { flushSoon, functionServices } from '../shared/composition/functionServices';
import { TENANT_CHECK_QUEUE } from '../shared/config/loadConfig';
import { fleetAlertOpen } from '../shared/useCases/reportFleetHealth';
import { reportGivenUpCheck } from '../shared/useCases/reportGivenUpCheck';

/** The queue a message lands in after host.json's maxDequeueCount failures (the host's naming). */
export const POISON_QUEUE = `${TENANT_CHECK_QUEUE}-poison`;

/**
 * A tenant whose check kept failing: its message is in the poison queue. It must not vanish — the
 * tenant's monitor alert says the check was given up, on every channel, like any other alert —
 * unless the tenant was checked successfully since the message was enqueued (stale or forged), or
 * the fleet's alert for a cause every tenant shares is open: that one already says so for every
 * tenant (SPEC §15), and a page per tenant is what it exists to prevent.
 */
export async function handleTenantCheckPoison(message: unknown, context: InvocationContext): Promise<void> {
  const services = functionServices(context);
  const logger = services.logger;
  const shared = await createSharedCheckServices(services.config, { logger, access: await services.access, kept: await services.kept() });
  try {
    const tenant = await tenantOfMessage(message, services.config, () => withRegisteredTenants(services.config, shared.registry), logger);
    if (!tenant) return;
    const enqueuedAt = enqueuedAtOf(message, context.triggerMetadata?.insertionTime, logger);
    if (enqueuedAt === undefined) return;
    if (services.config.fleet && (await fleetAlertOpen(shared.store, services.config.tenant.id))) {
      logger.warn(`The check of tenant ${tenant.name} (${tenant.id}) was given up while the fleet's alert for a cause every tenant shares is open; that alert covers it.`, { tenantId: tenant.id });
      return;
    }
    const deps = await checkDepsFor(services.config, shared, tenant, logger);
    const report = await reportGivenUpCheck(deps, checkOptionsFor(services.config, tenant), enqueuedAt);
    if (report === null) return;
    logger.error(`The check of tenant ${tenant.name} (${tenant.id}) was given up after repeated failures; its monitor alert was raised.`, { tenantId: tenant.id });
  } finally {
    flushSoon(shared.telemetry);
  }
}

app.storageQueue('handleTenantCheckPoison', { queueName: POISON_QUEUE, connection: 'AzureWebJobsStorage', handler: handleTenantCheckPoison });
