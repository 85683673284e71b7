import type { AssetKind, EpochMs, MonitoredKind, TenantSnapshot } from '../domain/assets';
import type { Assessment } from '../domain/assessment';
import { assessTenant } from '../domain/assessTenant';
import type { ChannelPolicy } from '../domain/channels';
import { detectApnsChanges, lastSeenOf } from '../domain/detectChanges';
import { AppError, toAppError } from '../domain/errors';
import { applyDeliveryOutcomes, planDeliveries, type DeliveryOutcome, type PlannedDelivery } from '../domain/planDeliveries';
import type { AlertEvent } from '../domain/alertEvent';
import type { AlertPolicy } from '../domain/policy';
import { worstOf, type Severity } from '../domain/severity';
import type { TenantState } from '../domain/tenantState';
import type { Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/stateStore';
import type { Telemetry } from '../ports/telemetry';
import { deliverAll, type ChannelReport } from './deliverAll';

export interface CheckDeps {
  gateway: IntuneGateway;
  store: StateStore;
  notifiers: readonly Notifier[];
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  newId: () => string;
  sleep: (ms: number) => Promise<void>;
}

export interface CheckOptions {
  tenantId: string;
  /** How messages name the tenant. */
  tenantName: string;
  kinds: readonly MonitoredKind[];
  policy: AlertPolicy;
  /** false = assess and report only: nothing sent, no state written (`--no-notify`). */
  notify: boolean;
  deliveryAttempts: number;
  /** First delivery backoff (doubles per try). */
  deliveryBackoffMs?: number;
  /** Evaluate as if at this instant (`--now`); defaults to the clock. */
  now?: EpochMs;
  /** One-shot messages to send with this run (the renewal's `renewed` message). */
  extraEvents?: readonly AlertEvent[];
}

export interface CheckReport {
  tenantId: string;
  at: EpochMs;
  assessments: Assessment[];
  /** Worst severity over every asset, the monitor included. */
  worst: Severity;
  /** The reads that failed: the run itself failed (timer throws, CLI exits 3). */
  readFailures: AppError[];
  notified: boolean;
  channels: ChannelReport[];
  /** True when a channel still refused a message after its tries. */
  deliveryFailed: boolean;
  durationMs: number;
}

const LEASE_MS = 10 * 60_000; // longer than any run: bounded Graph wait + bounded delivery retries
const MAX_CONFLICT_RETRIES = 5;

/**
 * The monitoring run: read Intune (one round trip) → assess → decide per channel against the
 * stored state (claiming with optimistic concurrency) → send → record what was accepted.
 */
export async function checkExpiry(deps: CheckDeps, options: CheckOptions): Promise<CheckReport> {
  const started = deps.clock.now();
  const now = options.now ?? started;
  const snapshot = await readSafely(deps, options);
  const assessments = assessTenant(snapshot, now, options.policy);
  const readFailures = (['apns', 'vpp', 'ade'] as const).flatMap((k) => {
    const o = snapshot[k];
    return o.status === 'failed' ? [o.error] : [];
  });
  for (const e of readFailures) deps.logger.error(`Reading Intune failed: ${e.describe()}`, { code: e.code });

  const report: CheckReport = {
    tenantId: options.tenantId,
    at: now,
    assessments,
    worst: worstOf(assessments.map((a) => a.severity)),
    readFailures,
    notified: options.notify,
    channels: [],
    deliveryFailed: false,
    durationMs: 0,
  };

  if (options.notify) {
    const channels: ChannelPolicy[] = deps.notifiers.map((n) => ({ name: n.channel, minSeverity: n.minSeverity }));
    const { deliveries } = await claim(deps, options, snapshot, assessments, channels, now, report);
    const { outcomes, channels: reports } = await deliverAll(deliveries, deps.notifiers, {
      attempts: options.deliveryAttempts,
      backoffMs: options.deliveryBackoffMs ?? 1000,
      sleep: deps.sleep,
      logger: deps.logger,
    });
    report.channels = reports;
    report.deliveryFailed = reports.some((r) => r.failed > 0);
    if (outcomes.length > 0) await record(deps, options.tenantId, outcomes, channels, now, report);
  }

  report.durationMs = deps.clock.now() - started;
  deps.telemetry.trackRun({
    tenantId: options.tenantId,
    tenantName: options.tenantName,
    ok: readFailures.length === 0 && !report.deliveryFailed,
    durationMs: report.durationMs,
    assessments,
    deliveries: report.channels.map((c) => ({ channel: c.channel, ok: c.sent, failed: c.failed })),
    ...(readFailures[0] ? { errorCode: readFailures[0].code } : {}),
  });
  return report;
}

/** The gateway reports per-resource failures as data; anything it throws still becomes a monitor failure. */
async function readSafely(deps: CheckDeps, options: CheckOptions): Promise<TenantSnapshot> {
  try {
    return { ...(await deps.gateway.readTenant(options.kinds)), tenantId: options.tenantId };
  } catch (thrown) {
    const error = toAppError(thrown);
    deps.logger.error(`Reading Intune failed unexpectedly: ${error.message}`, { code: error.code, cause: String(error.cause ?? '') });
    const failed = { status: 'failed' as const, error };
    const skipped = { status: 'skipped' as const };
    return {
      tenantId: options.tenantId,
      readAt: deps.clock.now(),
      apns: options.kinds.includes('apns') ? failed : skipped,
      vpp: options.kinds.includes('vpp') ? failed : skipped,
      ade: options.kinds.includes('ade') ? failed : skipped,
    };
  }
}

function readKindsOf(snapshot: TenantSnapshot): Set<AssetKind> {
  return new Set((['apns', 'vpp', 'ade'] as const).filter((k) => snapshot[k].status === 'ok' || snapshot[k].status === 'not_configured'));
}

/** Plans and saves the claims; on a concurrent update, reloads and plans again. */
async function claim(
  deps: CheckDeps,
  options: CheckOptions,
  snapshot: TenantSnapshot,
  assessments: Assessment[],
  channels: ChannelPolicy[],
  now: EpochMs,
  report: CheckReport,
): Promise<{ deliveries: PlannedDelivery[] }> {
  for (let attempt = 1; ; attempt++) {
    const { state, version } = await deps.store.load(options.tenantId);
    // A change the caller already reports (a renewal with a new topic) is not reported twice.
    const extra = options.extraEvents ?? [];
    const extraKeys = new Set(extra.map((e) => e.key));
    const detected = detectApnsChanges(state.apns, snapshot, assessments, now, deps.newId, options.tenantName).filter((e) => !extraKeys.has(e.key));
    const oneShots = [...detected, ...extra];
    const plan = planDeliveries({
      assessments,
      readKinds: readKindsOf(snapshot),
      oneShots,
      state,
      tenantName: options.tenantName,
      channels,
      now,
      policy: options.policy,
      newId: deps.newId,
      leaseMs: LEASE_MS,
    });
    plan.state.apns = lastSeenOf(snapshot, state.apns);
    plan.state.lastRun = runRecord(report, now);
    try {
      await deps.store.save(plan.state, version);
      return { deliveries: plan.deliveries };
    } catch (thrown) {
      if (!isConflict(thrown) || attempt >= MAX_CONFLICT_RETRIES) throw thrown;
      deps.logger.warn('Another run updated the state at the same time; deciding again.', { attempt });
    }
  }
}

async function record(
  deps: CheckDeps,
  tenantId: string,
  outcomes: DeliveryOutcome[],
  channels: ChannelPolicy[],
  now: EpochMs,
  report: CheckReport,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { state, version } = await deps.store.load(tenantId);
    const next: TenantState = applyDeliveryOutcomes(state, outcomes, channels, now);
    next.lastRun = runRecord(report, now);
    try {
      await deps.store.save(next, version);
      return;
    } catch (thrown) {
      if (!isConflict(thrown) || attempt >= MAX_CONFLICT_RETRIES) throw thrown;
    }
  }
}

function runRecord(report: CheckReport, now: EpochMs): NonNullable<TenantState['lastRun']> {
  const failure = report.readFailures[0];
  const ok = !failure && !report.deliveryFailed;
  const run: NonNullable<TenantState['lastRun']> = { at: now, ok, worstSeverity: report.worst };
  if (failure) {
    run.errorCode = failure.code;
    run.message = failure.message;
  } else if (report.deliveryFailed) {
    run.errorCode = 'delivery_failed';
    run.message = `Delivery failed on: ${report.channels.filter((c) => c.failed > 0).map((c) => c.channel).join(', ')}`;
  }
  return run;
}

function isConflict(error: unknown): boolean {
  return error instanceof AppError && error.code === 'state_conflict';
}

/** The failure a run ends with, if any: reading Intune first, then a channel that still refused. */
export function runFailure(report: CheckReport): AppError | undefined {
  const read = report.readFailures[0];
  if (read) {
    return new AppError(read.code, `The check could not read Intune: ${read.message}`, read.hint ? { hint: read.hint } : {});
  }
  if (report.deliveryFailed) {
    const failed = report.channels.filter((c) => c.failed > 0);
    const detail = failed.map((c) => `${c.channel} (${c.errors[0] ?? 'refused'})`).join('; ');
    return new AppError('delivery_failed', `Some alerts were not delivered and will be retried on the next run: ${detail}.`);
  }
  return undefined;
}
