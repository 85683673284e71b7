import type { TenantRef } from '../config/loadConfig';
import { toAppError, type AppError } from '../domain/errors';
import type { TenantCheckMessage, TenantCheckQueue } from '../ports/tenantCheckQueue';
import type { CheckReport } from './checkExpiry';
import { runPool } from './runPool';

/** One tenant's outcome in a fleet run: its report, or the error that kept it from running at all. */
export interface TenantResult {
  tenant: TenantRef;
  report?: CheckReport;
  error?: AppError;
}

/**
 * A fleet is a loop over the unit: `checkExpiry` for one tenant stays the unit of work, and this
 * only decides which tenants and hands each to a worker. In one process (the CLI) a bounded pool
 * runs them (`APNS_FLEET_CONCURRENCY`); one tenant failing never stops or delays the others.
 */
export async function checkFleet(
  tenants: readonly TenantRef[],
  checkTenant: (tenant: TenantRef) => Promise<CheckReport>,
  options: { concurrency: number; onProgress?: (done: number, total: number) => void },
): Promise<TenantResult[]> {
  return runPool(
    tenants,
    options.concurrency,
    async (tenant) => {
      try {
        return { tenant, report: await checkTenant(tenant) };
      } catch (thrown) {
        return { tenant, error: toAppError(thrown) };
      }
    },
    (done) => options.onProgress?.(done, tenants.length),
  );
}

/**
 * In Azure, the timer only enqueues one message per tenant and returns: queue-triggered instances,
 * scaled by the platform, check them (SPEC §11).
 */
export async function enqueueTenantChecks(queue: TenantCheckQueue, tenants: readonly TenantRef[], runId: string, now: number): Promise<number> {
  const enqueuedAt = new Date(now).toISOString();
  const messages: TenantCheckMessage[] = tenants.map((t) => ({ tenantId: t.id, runId, enqueuedAt }));
  await queue.enqueue(messages);
  return messages.length;
}
