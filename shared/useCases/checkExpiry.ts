import { MONITORED_KINDS, type EpochMs, type MonitoredKind } from '../domain/assets';
import { uniformSnapshot, type TenantSnapshot } from '../domain/snapshot';
import type { Assessment } from '../domain/assessment';
import { sharedCauseOf } from '../domain/assessFleet';
import { isPermissionGap } from '../domain/assetKinds';
import { missingPermissionsOf } from '../domain/snapshot';
import { assessTenant, readKindsOf, withDisabledChannels, withStateFailure } from '../domain/assessTenant';
import type { Acknowledgement } from '../domain/acknowledgement';
import type { ChannelPolicy, DestinationId } from '../domain/channels';
import { detectApnsChanges, lastSeenOf } from '../domain/detectChanges';
import { AppError, toAppError } from '../domain/errors';
import { applyDeliveryOutcomes, planDeliveries, type DeliveryOutcome, type DeliveryPlan, type PlanInput, type PlannedDelivery } from '../domain/planDeliveries';
import type { AlertEvent } from '../domain/alertEvent';
import type { AlertPolicy } from '../domain/policy';
import { formatUtc } from '../domain/graphDateTime';
import { worstOf, type Severity } from '../domain/severity';
import { emptyTenantState, type TenantState } from '../domain/tenantState';
import type { Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { Logger } from '../ports/logger';
import { channelPolicies, destinationOf, type Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/stateStore';
import type { Telemetry } from '../ports/telemetry';
import { deliverAll, type ChannelReport } from './deliverAll';
import { retryOnConflict } from './retryOnConflict';

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

/** What deciding and sending needs (no Graph): a tenant's run and the fleet's own health. */
export type NotifyDeps = Omit<CheckDeps, 'gateway' | 'telemetry'>;

export interface CheckOptions {
  tenantId: string;
  /** How messages name the tenant. */
  tenantName: string;
  /** The tenant's customer routes (SPEC §15): its messages also go to their destinations. */
  routes?: readonly string[];
  kinds: readonly MonitoredKind[];
  policy: AlertPolicy;
  /** false = assess and report only: nothing sent, no state written (`--no-notify`). */
  notify: boolean;
  deliveryAttempts: number;
  /** First delivery backoff (doubles per try). */
  deliveryBackoffMs?: number;
  /** Longest total wait between delivery tries per channel (`APNS_GRAPH_MAX_RETRY_SECONDS`). */
  deliveryMaxWaitMs?: number;
  /** Evaluate as if at this instant (`--now`); defaults to the clock. */
  now?: EpochMs;
  /** One-shot messages to send with this run (the renewal's `renewed` message). */
  extraEvents?: readonly AlertEvent[];
  /**
   * How long a claimed delivery keeps other runs away: longer than this run can take to deliver
   * (tries × request timeout + the wait budget), short enough that the platform's retry of a run
   * that died mid-delivery sends it (default 10 min).
   */
  claimLeaseMs?: number;
  /**
   * In a fleet: when every read failed for a cause all tenants share (the sign-in, Graph), send and
   * record nothing for this tenant and report it as `sharedCause`: the fleet's one alert covers it
   * (SPEC §15), instead of one alert per tenant.
   */
  deferSharedCause?: boolean;
}

export interface CheckReport {
  tenantId: string;
  tenantName: string;
  at: EpochMs;
  assessments: Assessment[];
  /** Worst severity over every asset, the monitor included. */
  worst: Severity;
  /** The reads that failed: the run itself failed (timer throws, CLI exits 3). */
  readFailures: AppError[];
  /** The Graph permissions reads were refused for (a failed read, or a further permission's warning). */
  missingPermissions: string[];
  notified: boolean;
  channels: ChannelReport[];
  /** True when a channel still refused a message after its tries. */
  deliveryFailed: boolean;
  /** Messages another run had claimed: not confirmed by this run (it cannot tell if that run died). */
  heldElsewhere: { count: number; until: EpochMs };
  /** The state could not be read or written: alerts went out without de-duplication (SPEC §3). */
  stateFailure?: AppError;
  /** Destinations off since a 410 Gone (until their setting changes). */
  disabledChannels: { channel: DestinationId; at: EpochMs; reason: string }[];
  /** The acknowledgements that still pause reminders after this run (none when it did not notify). */
  acknowledgements: Acknowledgement[];
  /**
   * Set when the reads failed for a cause every tenant shares and `deferSharedCause` was asked:
   * nothing was sent or recorded for this tenant (the fleet's alert speaks for it).
   */
  sharedCause?: AppError;
  durationMs: number;
}

const DEFAULT_LEASE_MS = 10 * 60_000;
const STATE_FAILURES = new Set(['state_unreadable', 'state_unavailable']);
const MAX_CONFLICT_RETRIES = 5;

/**
 * The monitoring run: read Intune (one round trip) → assess → decide per channel against the
 * stored state (claiming with optimistic concurrency) → send → record what was accepted.
 */
export async function checkExpiry(deps: CheckDeps, options: CheckOptions): Promise<CheckReport> {
  const started = deps.clock.now();
  const now = options.now ?? started;
  const snapshot = await readSafely(deps, options);
  // A further permission that is missing is the monitor's warning, not a failed run: the rest was read.
  const failed = MONITORED_KINDS.flatMap((k) => {
    const o = snapshot[k];
    return o.status === 'failed' ? [{ kind: k, error: o.error }] : [];
  });
  const readFailures = failed.filter((f) => !isPermissionGap(f.kind, f.error)).map((f) => f.error);
  for (const e of new Map(readFailures.map((f) => [f.describe(), f])).values()) deps.logger.error(`Reading Intune failed: ${e.describe()}`, { code: e.code });
  const gaps = failed.filter((f) => isPermissionGap(f.kind, f.error));
  if (gaps.length > 0) deps.logger.warn(`Some reads need a Graph permission the identity lacks; everything else was read: ${gaps[0]?.error.describe() ?? ''}`, { code: 'graph_permission_denied' });
  const assessments = assessTenant(snapshot, now, options.policy);
  const shared = options.deferSharedCause ? sharedCauseOf(readFailures) : undefined;
  const report = shared
    ? { ...newReport(options, now, snapshot, assessments, readFailures), notified: false, sharedCause: shared }
    : await notifyAssessed(deps, options, snapshot, assessments, readFailures);
  report.durationMs = deps.clock.now() - started;
  deps.telemetry.trackRun({
    tenantId: options.tenantId,
    tenantName: options.tenantName,
    ok: runFailure(report) === undefined,
    durationMs: report.durationMs,
    assessments: report.assessments,
    deliveries: report.channels.map((c) => ({ channel: c.channel, ok: c.sent, failed: c.failed })),
    ...(readFailures[0] ? { errorCode: readFailures[0].code } : {}),
  });
  return report;
}

function newReport(options: CheckOptions, now: EpochMs, snapshot: TenantSnapshot, assessments: Assessment[], readFailures: AppError[]): CheckReport {
  return {
    tenantId: options.tenantId,
    tenantName: options.tenantName,
    at: now,
    assessments,
    worst: worstOf(assessments.map((a) => a.severity)),
    readFailures,
    missingPermissions: missingPermissionsOf(snapshot),
    notified: options.notify,
    channels: [],
    deliveryFailed: false,
    heldElsewhere: { count: 0, until: 0 },
    disabledChannels: [],
    acknowledgements: [],
    durationMs: 0,
  };
}

/**
 * Decide → claim → send → record for assessed conditions, against the state record
 * `options.tenantId`: a tenant's run, or the fleet's own health (`reportFleetHealth`).
 */
export async function notifyAssessed(
  deps: NotifyDeps,
  options: CheckOptions,
  snapshot: TenantSnapshot,
  assessed: Assessment[],
  readFailures: AppError[] = [],
): Promise<CheckReport> {
  const now = options.now ?? deps.clock.now();
  const report = newReport(options, now, snapshot, assessed, readFailures);
  if (!options.notify) return report;
  let assessments = assessed;
  const channels: ChannelPolicy[] = channelPolicies(deps.notifiers);
  let deliveries: PlannedDelivery[];
  try {
    ({ deliveries } = await claim(deps, options, snapshot, assessments, channels, now, report));
  } catch (thrown) {
    const error = toAppError(thrown);
    if (!STATE_FAILURES.has(error.code)) throw thrown;
    // An unreadable or unreachable state must not silence the alerts: send what was assessed, as
    // if nothing had been sent before, plus the monitor's own alert about its state. Save nothing.
    deps.logger.error(`The monitor state is not usable; sending this run's alerts without de-duplication: ${error.describe()}`, { code: error.code });
    report.stateFailure = error;
    assessments = withStateFailure(assessments, { message: error.message, hint: error.hint });
    setAssessments(report, assessments);
    deliveries = plan(deps, options, snapshot, now, { assessments, state: emptyTenantState(options.tenantId), channels, oneShots: options.extraEvents ?? [] }).deliveries;
  }
  const { outcomes, channels: reports } = await deliverAll(deliveries, deps.notifiers, {
    attempts: options.deliveryAttempts,
    backoffMs: options.deliveryBackoffMs ?? 1000,
    ...(options.deliveryMaxWaitMs === undefined ? {} : { maxWaitMs: options.deliveryMaxWaitMs }),
    sleep: deps.sleep,
    logger: deps.logger,
  });
  report.channels = reports;
  report.deliveryFailed = reports.some((r) => r.failed > 0);
  if (outcomes.length > 0 && !report.stateFailure) {
    try {
      await record(deps, options.tenantId, outcomes, channels, now, report);
    } catch (thrown) {
      const error = toAppError(thrown);
      if (!STATE_FAILURES.has(error.code)) throw thrown;
      // Sent but not recorded: the claims lapse and the next run sends them again (at-least-once).
      deps.logger.error(`The deliveries were sent but could not be recorded; they may be sent again: ${error.describe()}`, { code: error.code });
      report.stateFailure = error;
    }
  }
  return report;
}

/** The gateway reports per-resource failures as data; anything it throws still becomes a monitor failure. */
async function readSafely(deps: CheckDeps, options: CheckOptions): Promise<TenantSnapshot> {
  try {
    return { ...(await deps.gateway.readTenant(options.kinds)), tenantId: options.tenantId };
  } catch (thrown) {
    const error = toAppError(thrown);
    deps.logger.error(`Reading Intune failed unexpectedly: ${error.message}`, { code: error.code, cause: String(error.cause ?? '') });
    return uniformSnapshot(options.tenantId, deps.clock.now(), (kind) => (options.kinds.includes(kind) ? { status: 'failed', error } : { status: 'skipped' }));
  }
}

function setAssessments(report: CheckReport, assessments: Assessment[]): void {
  report.assessments = assessments;
  report.worst = worstOf(assessments.map((a) => a.severity));
}

/** The delivery plan of this run against `state`, for the given channels and one-shot messages. */
function plan(
  deps: NotifyDeps,
  options: CheckOptions,
  snapshot: TenantSnapshot,
  now: EpochMs,
  input: Pick<PlanInput, 'assessments' | 'state' | 'channels' | 'oneShots'>,
): DeliveryPlan {
  return planDeliveries({
    ...input,
    readKinds: readKindsOf(snapshot),
    tenantName: options.tenantName,
    routes: options.routes ?? [],
    now,
    policy: options.policy,
    newId: deps.newId,
    leaseMs: options.claimLeaseMs ?? DEFAULT_LEASE_MS,
  });
}

/** Plans and saves the claims; on a concurrent update, reloads and plans again. */
async function claim(
  deps: NotifyDeps,
  options: CheckOptions,
  snapshot: TenantSnapshot,
  initial: Assessment[],
  channels: ChannelPolicy[],
  now: EpochMs,
  report: CheckReport,
): Promise<{ deliveries: PlannedDelivery[] }> {
  const again = (attempt: number) => deps.logger.warn('Another run updated the state at the same time; deciding again.', { attempt });
  return retryOnConflict(MAX_CONFLICT_RETRIES, async () => {
    const { state, version } = await deps.store.load(options.tenantId);
    // Channels switched off after 410 Gone stay off until their setting (fingerprint) changes; the
    // monitor warns about them through the other channels.
    const disabled = disabledChannels(state, deps.notifiers);
    const usable = channels.filter((c) => !disabled.some((d) => d.channel === c.name));
    // From the assessed list each time: a retry after a conflict must not add the findings twice.
    const assessments = withDisabledChannels(initial, disabled);
    setAssessments(report, assessments);
    report.disabledChannels = disabled;
    // A change the caller already reports (a renewal with a new topic) is not reported twice.
    const extra = options.extraEvents ?? [];
    const extraKeys = new Set(extra.map((e) => e.key));
    const detected = detectApnsChanges(state.apns, snapshot, assessments, now, deps.newId, options.tenantName).filter((e) => !extraKeys.has(e.key));
    const oneShots = [...detected, ...extra];
    const planned = plan(deps, options, snapshot, now, { assessments, state, channels: usable, oneShots });
    planned.state.apns = lastSeenOf(snapshot, state.apns);
    planned.state.disabledChannels = Object.fromEntries(disabled.map((d) => [d.channel, { fingerprint: d.fingerprint, at: d.at, reason: d.reason }]));
    if (disabled.length === 0) delete planned.state.disabledChannels;
    report.heldElsewhere = planned.heldElsewhere;
    report.acknowledgements = Object.values(planned.state.acks ?? {});
    planned.state.lastRun = runRecord(report, now);
    if (report.readFailures.length === 0) planned.state.lastSuccessAt = now;
    await deps.store.save(planned.state, version);
    return { deliveries: planned.deliveries };
  }, again);
}

async function record(
  deps: NotifyDeps,
  tenantId: string,
  outcomes: DeliveryOutcome[],
  channels: ChannelPolicy[],
  now: EpochMs,
  report: CheckReport,
): Promise<void> {
  await retryOnConflict(MAX_CONFLICT_RETRIES, async () => {
    const { state, version } = await deps.store.load(tenantId);
    const next: TenantState = applyDeliveryOutcomes(state, outcomes, channels, now);
    next.lastRun = runRecord(report, now);
    for (const gone of report.channels.filter((c) => c.gone)) {
      const fingerprint = deps.notifiers.find((n) => destinationOf(n) === gone.channel)?.fingerprint;
      if (fingerprint) (next.disabledChannels ??= {})[gone.channel] = { fingerprint, at: now, reason: gone.gone ?? '410 Gone' };
    }
    await deps.store.save(next, version);
  });
}

function runRecord(report: CheckReport, now: EpochMs): NonNullable<TenantState['lastRun']> {
  const failure = runFailure(report);
  const run: NonNullable<TenantState['lastRun']> = { at: now, ok: !failure, worstSeverity: report.worst };
  if (failure) {
    run.errorCode = failure.code;
    run.message = failure.message;
  }
  if (report.missingPermissions.length > 0) run.missingPermissions = report.missingPermissions;
  return run;
}

/** The destinations the state switched off whose notifier still has the same fingerprint (setting unchanged). */
function disabledChannels(state: TenantState, notifiers: readonly Notifier[]): { channel: DestinationId; fingerprint: string; at: EpochMs; reason: string }[] {
  const out: { channel: DestinationId; fingerprint: string; at: EpochMs; reason: string }[] = [];
  for (const [channel, record] of Object.entries(state.disabledChannels ?? {})) {
    const notifier = notifiers.find((n) => destinationOf(n) === channel);
    if (record && notifier?.fingerprint === record.fingerprint) out.push({ channel, ...record });
  }
  return out;
}

/**
 * The failure a run ends with, if any: reading Intune first, then its state, then a channel that
 * still refused, then messages another run claimed and this one cannot confirm.
 */
export function runFailure(report: CheckReport): AppError | undefined {
  const read = report.readFailures[0];
  if (read) {
    return new AppError(read.code, `The check could not read Intune: ${read.message}`, { retriable: read.retriable, ...(read.hint ? { hint: read.hint } : {}) });
  }
  if (report.stateFailure) {
    const e = report.stateFailure;
    return new AppError(e.code, `The alerts were sent, but the monitor state is not usable: ${e.message}`, { retriable: e.retriable, ...(e.hint ? { hint: e.hint } : {}) });
  }
  if (report.deliveryFailed) {
    const failed = report.channels.filter((c) => c.failed > 0);
    const detail = failed.map((c) => `${c.channel} (${c.errors[0] ?? 'refused'})`).join('; ');
    return new AppError('delivery_failed', `Some alerts were not delivered and will be retried on the next run: ${detail}.`);
  }
  const held = heldElsewhereMessage(report);
  if (held) {
    return new AppError('delivery_failed', held, { hint: 'If that run died, the next run after that time sends them (the timer retries a failed run within minutes).', retriable: true });
  }
  return undefined;
}

/** "2 alerts are being delivered by another run …", or undefined when no claim of another run was seen. */
export function heldElsewhereMessage(report: CheckReport): string | undefined {
  const { count: n, until } = report.heldElsewhere;
  if (n === 0) return undefined;
  return `${n} alert${n > 1 ? 's are' : ' is'} being delivered by another run (claimed until ${formatUtc(until)}); this run cannot confirm ${n > 1 ? 'they were' : 'it was'} sent.`;
}
