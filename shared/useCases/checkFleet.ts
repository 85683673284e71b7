import type { TenantRef } from '../config/loadConfig';
import type { FleetOutcome } from '../domain/assessFleet';
import { toAppError, type AppError } from '../domain/errors';
import type { TenantCheckMessage, TenantCheckQueue } from '../ports/tenantCheckQueue';
import type { CheckReport } from './checkExpiry';
import { runPool } from './runPool';

/** One tenant's outcome in a fleet run: its report, or the error that kept it from running at all. */
export interface TenantResult {
  tenant: TenantRef;
  report?: CheckReport;
  error?: AppError;
  /** Not tried: the run had already recognised a cause every tenant shares (`error` is it). */
  notTried?: boolean;
}

/** A fleet run: every tenant's result, and the shared cause it stopped on, if it did. */
export interface FleetRun {
  results: TenantResult[];
  sharedCause?: { error: AppError; tried: number; notTried: number };
  /** What the fleet's own alert sent or resolved this run (`reportFleetHealth`), if anything. */
  health?: CheckReport;
  /** The fleet's registry could not be read: only the tenants of APNS_TENANTS were checked (the run fails). */
  registryFailure?: AppError;
}

export interface FleetCheckOptions {
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
  /** How many tenants in a row must fail for the same shared cause before the rest are not tried (default 3). */
  sharedCauseAfter?: number;
  /** Raises the fleet's one alert for a shared cause, or resolves it (`reportFleetHealth`); absent: nothing is sent. */
  reportHealth?: (outcome: FleetOutcome) => Promise<CheckReport | undefined>;
}

/** Checks one tenant; with `deferSharedCause` its check leaves a shared cause to the fleet's alert. */
export type CheckTenant = (tenant: TenantRef, mode: { deferSharedCause: boolean }) => Promise<CheckReport>;

const SHARED_CAUSE_AFTER = 3;

/**
 * A fleet is a loop over the unit: `checkExpiry` for one tenant stays the unit of work, and this
 * only decides which tenants and hands each to a worker. In one process (the CLI) a bounded pool
 * runs them (`APNS_FLEET_CONCURRENCY`); one tenant failing never stops or delays the others.
 *
 * Except when what fails is not the tenant's (SPEC §15): when the first tenants in a row all fail
 * for the same cause every tenant shares (the managed identity endpoint, Entra, Graph, DNS, the
 * home credential), the rest are not tried — the run ends within one request timeout × tries
 * instead of minutes — and those tenants leave their alert to the fleet's one (`sharedCause`).
 * A tenant that deferred to the fleet but turned out alone (the others were fine) is checked again
 * as usual, so an isolated failure still raises that tenant's own alert.
 */
export async function checkFleet(tenants: readonly TenantRef[], checkTenant: CheckTenant, options: FleetCheckOptions): Promise<FleetRun> {
  const threshold = Math.max(1, Math.min(options.sharedCauseAfter ?? SHARED_CAUSE_AFTER, tenants.length));
  let streak: { error: AppError; count: number } | undefined;
  let stopped: AppError | undefined;
  const run = async (tenant: TenantRef, deferSharedCause: boolean): Promise<TenantResult> => {
    try {
      return { tenant, report: await checkTenant(tenant, { deferSharedCause }) };
    } catch (thrown) {
      return { tenant, error: toAppError(thrown) };
    }
  };
  const results = await runPool(
    tenants,
    options.concurrency,
    async (tenant) => {
      if (stopped) return { tenant, error: stopped, notTried: true };
      const result = await run(tenant, true);
      const cause = result.report?.sharedCause;
      if (!cause) streak = undefined;
      else if (streak && streak.error.sharedCause === cause.sharedCause) streak.count++;
      else streak = { error: cause, count: 1 };
      if (streak && streak.count >= threshold) stopped ??= streak.error;
      return result;
    },
    (done) => options.onProgress?.(done, tenants.length),
  );
  const fleet: FleetRun = { results };
  if (stopped) {
    const notTried = results.filter((r) => r.notTried).length;
    fleet.sharedCause = { error: stopped, tried: results.length - notTried, notTried };
  } else {
    // Not shared after all: those tenants are checked again, alerting on their own as usual.
    const alone = results.flatMap((r, index) => (r.report?.sharedCause ? [index] : []));
    const again = await runPool(alone, options.concurrency, (index) => run((results[index] as TenantResult).tenant, false));
    alone.forEach((index, i) => (results[index] = again[i] as TenantResult));
  }
  const outcome: FleetOutcome = fleet.sharedCause
    ? { cause: fleet.sharedCause.error, tried: fleet.sharedCause.tried, notTried: fleet.sharedCause.notTried, total: tenants.length }
    : { tried: results.length, notTried: 0, total: tenants.length };
  const health = await options.reportHealth?.(outcome);
  if (health) fleet.health = health;
  return fleet;
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
