import { decideAcknowledgement, describeAcknowledgement, type Acknowledgement } from '../domain/acknowledgement';
import { AppError } from '../domain/errors';
import { formatUtc } from '../domain/graphDateTime';
import type { EpochMs } from '../domain/assets';
import type { TenantState } from '../domain/tenantState';
import type { AcknowledgementAuditEntry, AuditLog } from '../ports/auditLog';
import type { Clock } from '../ports/clock';
import type { StateStore } from '../ports/stateStore';
import { retryOnConflict } from './retryOnConflict';

/**
 * Acknowledging an alert and ending an acknowledgement (SPEC §15), for the CLI (`ack`, `unack`)
 * and the status page alike: read the tenant's stored state → decide (pure, in the domain) →
 * save with optimistic concurrency → record who, why and until when in the audit trail. The run
 * that follows applies it (planDeliveries); nothing is sent from here.
 */
export interface AcknowledgeDeps {
  store: StateStore;
  audit: AuditLog;
  clock: Clock;
  newId: () => string;
}

export interface AcknowledgeCaller {
  /** The Easy Auth principal (or the local viewer) on the page, the OS user on the CLI. */
  actor: string;
  via: 'http' | 'cli';
  correlationId: string;
}

export interface AcknowledgeRequest {
  key: string;
  until: EpochMs;
  reason: string;
}

const MAX_CONFLICT_RETRIES = 5;
const ALERT_KEY = /^([A-Za-z0-9._-]{1,64}):([a-z]+):(.{1,512})$/;

/** The tenant whose state record holds the alert: the key's first part (`{tenantId}:{kind}:{assetId}`). */
function tenantOfKey(key: string): string {
  const m = ALERT_KEY.exec(key);
  if (!m) throw new AppError('invalid_request', `"${key.slice(0, 100)}" is not an alert key ({tenantId}:{kind}:{assetId}, as "apns-monitor check --json" and the status page show them). Nothing was changed.`);
  return m[1] as string;
}

/** Loads, changes and saves the tenant's state, again from the start when another run saved in between. */
async function updateState<T>(deps: AcknowledgeDeps, tenantId: string, change: (state: TenantState) => T): Promise<T> {
  return retryOnConflict(MAX_CONFLICT_RETRIES, async () => {
    const { state, version } = await deps.store.load(tenantId);
    const result = change(state);
    await deps.store.save(state, version);
    return result;
  });
}

function auditEntry(deps: AcknowledgeDeps, caller: AcknowledgeCaller, tenantId: string, ack: Acknowledgement, assetName: string, outcome: AcknowledgementAuditEntry['outcome'], message: string): AcknowledgementAuditEntry {
  return {
    kind: 'acknowledgement',
    id: deps.newId(),
    at: deps.clock.now(),
    tenantId,
    actor: caller.actor,
    via: caller.via,
    outcome,
    key: ack.key,
    assetName,
    severity: ack.severity,
    until: ack.until,
    reason: ack.reason,
    message,
    correlationId: caller.correlationId,
  };
}

/**
 * Acknowledges `request.key` until `request.until`, or throws `ack_refused` / `invalid_request`
 * (expired assets and monitor failures never go quiet; at most 30 days; never past the expiry)
 * having changed nothing.
 */
export async function acknowledgeAlert(deps: AcknowledgeDeps, request: AcknowledgeRequest, caller: AcknowledgeCaller): Promise<Acknowledgement & { assetName: string }> {
  const tenantId = tenantOfKey(request.key);
  const result = await updateState(deps, tenantId, (state) => {
    const assessment = state.assessments.find((a) => a.key === request.key);
    const ack = decideAcknowledgement({ ...request, by: caller.actor }, assessment, deps.clock.now());
    state.acks = { ...(state.acks ?? {}), [ack.key]: ack };
    return { ...ack, assetName: assessment?.name ?? ack.key };
  });
  await deps.audit.record(auditEntry(deps, caller, tenantId, result, result.assetName, 'acknowledged', `Reminders at ${result.severity} paused ${describeAcknowledgement(result)}.`));
  return result;
}

/** Ends the acknowledgement of `key` (reminders resume on the next run), or throws `ack_refused` when there is none. */
export async function unacknowledgeAlert(deps: AcknowledgeDeps, key: string, caller: AcknowledgeCaller): Promise<Acknowledgement & { assetName: string }> {
  const tenantId = tenantOfKey(key);
  const result = await updateState(deps, tenantId, (state) => {
    const ack = state.acks?.[key];
    if (!ack || !state.acks) throw new AppError('ack_refused', `${key} is not acknowledged (or its acknowledgement already ended). Nothing was changed.`);
    delete state.acks[key];
    if (Object.keys(state.acks).length === 0) delete state.acks;
    return { ...ack, assetName: state.assessments.find((a) => a.key === key)?.name ?? key };
  });
  await deps.audit.record(
    auditEntry(deps, caller, tenantId, result, result.assetName, 'unacknowledged', `Acknowledgement ended by ${caller.actor} (it was ${describeAcknowledgement(result)}); reminders resume from ${formatUtc(deps.clock.now())}.`),
  );
  return result;
}
