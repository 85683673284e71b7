import { acknowledgementStatus } from './acknowledgement';
import { isAssetKind, type AssetKind, type EpochMs } from './assets';
import { kindSpec } from './assetKinds';
import { buildAlertEvent, type AlertAcknowledgement, type AlertEvent, type AlertEventType } from './alertEvent';
import type { Assessment, FindingCode } from './assessment';
import type { ChannelPolicy, DestinationId } from './channels';
import { reminderIntervalMs, type AlertPolicy } from './policy';
import { isWorse, meetsMinimum, type Severity } from './severity';
import type { ChannelRecord, OutboxEntry, TenantState } from './tenantState';

export interface PlanInput {
  assessments: readonly Assessment[];
  /** Kinds read successfully this run: only their vanished keys may resolve as "removed". */
  readKinds: ReadonlySet<AssetKind>;
  /** One-shot messages raised this run (changes, renewals); they go through the outbox. */
  oneShots: readonly AlertEvent[];
  state: TenantState;
  /** The tenant's display name, carried by every message. */
  tenantName: string;
  /** Every destination: the global channels and every customer route's. */
  channels: readonly ChannelPolicy[];
  /**
   * The customer routes of this tenant (SPEC §15): its messages go to the global channels and to
   * these routes' destinations, never to another route's. None (the default) = global channels only.
   */
  routes?: readonly string[];
  now: EpochMs;
  policy: AlertPolicy;
  newId: () => string;
  /** How long a claim keeps other runs away from an in-flight delivery. */
  leaseMs: number;
}

export interface PlannedDelivery {
  /** The destination: a global channel (`teams`) or a route's (`teams@ACME`). */
  channel: DestinationId;
  event: AlertEvent;
  /** True for outbox messages (changes, renewals), false for alert-state messages. */
  oneShot: boolean;
}

export interface DeliveryPlan {
  deliveries: PlannedDelivery[];
  /** Deliveries another run has claimed and may still be sending (their claims end at `until`). */
  heldElsewhere: { count: number; until: EpochMs };
  /** The state to save before sending: claims taken, outbox extended, assessments updated. */
  state: TenantState;
}

interface Decision {
  type: Extract<AlertEventType, 'alert' | 'reminder' | 'resolved'>;
  resolution?: 'renewed' | 'recovered' | 'removed';
}

/**
 * Decides, per alert key and per destination, what each destination must receive now, comparing
 * the assessment with what that destination last accepted (its mark). Because each destination
 * advances on its own, one that was down gets the message on the next run and the others do not
 * get it twice. Which destinations a tenant's messages go to is decided here, once: the global
 * channels and the tenant's own routes. An acknowledged alert's reminders pause while the
 * acknowledgement holds; it ends when its time is up, a worse severity breaks through, or the
 * alert resolves, and the messages of that run say so.
 * Pure: the caller saves `state` (with optimistic concurrency) before sending.
 */
export function planDeliveries(input: PlanInput): DeliveryPlan {
  const { now } = input;
  const routes = new Set(input.routes ?? []);
  const channels = input.channels.filter((c) => c.route === undefined || routes.has(c.route));
  const state = writableCopy(input.state);
  const deliveries: PlannedDelivery[] = [];
  const heldElsewhere = { count: 0, until: 0 };
  const current = new Map(input.assessments.map((a) => [a.key, a]));
  const previous = new Map(state.assessments.map((a) => [a.key, a]));
  const eventIds = new Map<string, string>();
  const keys = new Set([...current.keys(), ...Object.keys(state.channels), ...Object.keys(state.acks ?? {})]);
  // A `renewed` message goes to every channel and is itself the resolution of its key's alerts.
  const renewedKeys = new Set(input.oneShots.filter((e) => e.type === 'renewed').map((e) => e.key));

  for (const key of keys) {
    const assessment = current.get(key);
    const kind = assessment?.kind ?? previous.get(key)?.kind ?? kindOfKey(key);
    // Gone from a good read: removed from Intune, or (a verdict that no longer disagrees) recovered.
    const vanished = assessment === undefined && kind !== undefined && input.readKinds.has(kind) ? vanishedAs(kind) : undefined;
    const acknowledgement = acknowledgementOf(state, key, assessment, vanished !== undefined, now);
    for (const channel of channels) {
      const record: ChannelRecord = state.channels[key]?.[channel.name] ?? {};
      if (record.claim && record.claim.until > now) {
        // Another run is delivering it (or died doing so: then the claim lapses and a later run retries).
        heldElsewhere.count++;
        heldElsewhere.until = Math.max(heldElsewhere.until, record.claim.until);
        continue;
      }
      const decision = decide(assessment, record, channel, now, input.policy, vanished);
      // Acknowledged: reminders at its severity pause (an alert to a destination never told still goes).
      const paused = decision?.type === 'reminder' && acknowledgement?.status === 'active';
      if (!decision || paused) {
        if (record.claim) delete record.claim; // a stale claim whose message is no longer due
        storeRecord(state, key, channel.name, record);
        continue;
      }
      if (decision.type === 'resolved' && renewedKeys.has(key)) {
        resolveSilently(record, assessment, channel);
        storeRecord(state, key, channel.name, record);
        continue;
      }
      const subject = assessment ?? removedSubject(key, previous.get(key), now);
      const severity = assessment?.severity ?? 'ok';
      const reuse = record.claim && record.claim.type === decision.type && record.claim.severity === severity;
      const idKey = `${key}|${decision.type}|${severity}`;
      const id = reuse && record.claim ? record.claim.eventId : (eventIds.get(idKey) ?? input.newId());
      eventIds.set(idKey, id);
      const build: Parameters<typeof buildAlertEvent>[0] = { id, type: decision.type, assessment: subject, tenantName: input.tenantName, now };
      if (record.mark) build.previousSeverity = record.mark.severity;
      if (decision.resolution) build.resolution = decision.resolution;
      if (acknowledgement) build.acknowledgement = acknowledgement;
      const event = buildAlertEvent(build);
      record.claim = { eventId: id, type: decision.type, severity, until: now + input.leaseMs };
      storeRecord(state, key, channel.name, record);
      deliveries.push({ channel: channel.name, event, oneShot: false });
    }
  }

  if (state.acks && Object.keys(state.acks).length === 0) delete state.acks;
  for (const event of input.oneShots) state.outbox.push(outboxEntryFor(event, channels));
  const configured = new Set(channels.map((c) => c.name));
  for (const entry of state.outbox) {
    for (const [name, until] of Object.entries(entry.pending) as [DestinationId, EpochMs][]) {
      if (!configured.has(name)) {
        delete entry.pending[name]; // the destination was switched off, or the route taken from this tenant: nobody left to tell
        continue;
      }
      if (until > now) {
        heldElsewhere.count++;
        heldElsewhere.until = Math.max(heldElsewhere.until, until);
        continue;
      }
      entry.pending[name] = now + input.leaseMs;
      deliveries.push({ channel: name, event: entry.event, oneShot: true });
    }
  }
  state.outbox = state.outbox.filter((e) => Object.keys(e.pending).length > 0);
  state.assessments = mergeAssessments(input.assessments, state.assessments, input.readKinds, new Set(Object.keys(state.channels)));
  return { deliveries, state, heldElsewhere };
}

/**
 * A copy of `state` that planning and recording may change: the channel records and their claims,
 * the acknowledgements, the outbox entries' pending maps and the switched-off channels are copied;
 * the assessments and events, which they replace but never change, are shared. A whole-state
 * `structuredClone` per run was the largest cost of deciding a tenant's alerts (issue 20's profile).
 */
function writableCopy(state: TenantState): TenantState {
  const channels: TenantState['channels'] = {};
  for (const [key, byChannel] of Object.entries(state.channels)) {
    const records: Partial<Record<DestinationId, ChannelRecord>> = {};
    for (const [name, record] of Object.entries(byChannel) as [DestinationId, ChannelRecord | undefined][]) {
      if (record) records[name] = record.claim ? { ...record, claim: { ...record.claim } } : { ...record };
    }
    channels[key] = records;
  }
  const copy: TenantState = { ...state, channels, outbox: state.outbox.map((e) => ({ event: e.event, pending: { ...e.pending } })) };
  if (state.acks) copy.acks = { ...state.acks };
  if (state.disabledChannels) copy.disabledChannels = { ...state.disabledChannels };
  return copy;
}

/**
 * The acknowledgement of `key` and what becomes of it this run; one that ended is removed from the
 * state (the messages of this run still carry it, saying how it ended).
 */
function acknowledgementOf(state: TenantState, key: string, assessment: Assessment | undefined, vanished: boolean, now: EpochMs): AlertAcknowledgement | undefined {
  const stored = state.acks?.[key];
  if (!stored || !state.acks) return undefined;
  const status = acknowledgementStatus(stored, assessment, vanished, now);
  if (status !== 'active') delete state.acks[key];
  const { key: _key, ...rest } = stored;
  return { ...rest, status };
}

function decide(
  assessment: Assessment | undefined,
  record: ChannelRecord,
  channel: ChannelPolicy,
  now: EpochMs,
  policy: AlertPolicy,
  vanished: 'removed' | 'recovered' | undefined,
): Decision | undefined {
  const mark = record.mark;
  if (!assessment) return mark && vanished ? { type: 'resolved', resolution: vanished } : undefined;
  const s = assessment.severity;
  if (!mark) return meetsMinimum(s, channel.minSeverity) ? { type: 'alert' } : undefined;
  if (isWorse(s, mark.severity)) return meetsMinimum(s, channel.minSeverity) ? { type: 'alert' } : undefined;
  if (s === mark.severity) {
    const interval = reminderIntervalMs(s, policy);
    return interval !== undefined && now - mark.at >= interval ? { type: 'reminder' } : undefined;
  }
  // Better than what the channel was told.
  const movedForward = assessment.expiresAt !== undefined && mark.expiresAt !== undefined && assessment.expiresAt > mark.expiresAt;
  if (movedForward) return { type: 'resolved', resolution: 'renewed' };
  // An expiry only gets better by moving forward; anything else (thresholds changed, clock set back) stays as told.
  if (mark.cause === 'expiry') return undefined;
  return { type: 'resolved', resolution: 'recovered' };
}

/** The channel learns of the resolution through the renewal message: only its mark changes. */
function resolveSilently(record: ChannelRecord, assessment: Assessment | undefined, channel: ChannelPolicy): void {
  delete record.claim;
  if (assessment && record.mark && meetsMinimum(assessment.severity, channel.minSeverity)) {
    record.mark = { ...record.mark, severity: assessment.severity, ...(assessment.expiresAt === undefined ? {} : { expiresAt: assessment.expiresAt }) };
  } else {
    delete record.mark;
  }
}

/** A removed asset is described by its last stored assessment (or, lacking one, its key), now "ok". */
function removedSubject(key: string, last: Assessment | undefined, now: EpochMs): Assessment {
  if (last) return { ...last, severity: 'ok', findings: [], assessedAt: now, stale: false };
  const [tenantId = '', kind = 'monitor', ...rest] = key.split(':');
  const assetId = rest.join(':');
  return { key, tenantId, kind: kindOfKey(key) ?? 'monitor', assetId, name: `${kind} ${assetId}`, severity: 'ok', findings: [], assessedAt: now };
}

function storeRecord(state: TenantState, key: string, channel: DestinationId, record: ChannelRecord): void {
  const byChannel = (state.channels[key] ??= {});
  if (record.mark || record.claim) byChannel[channel] = record;
  else delete byChannel[channel];
  if (Object.keys(byChannel).length === 0) delete state.channels[key];
}

/** `{tenantId}:{kind}:{assetId}`: the tenant id never holds a colon (the config refuses one). */
function kindOfKey(key: string): AssetKind | undefined {
  const kind = key.split(':')[1];
  return isAssetKind(kind) ? kind : undefined;
}

function vanishedAs(kind: AssetKind): 'removed' | 'recovered' {
  return kind === 'monitor' ? 'removed' : (kindSpec(kind).vanished ?? 'removed');
}

/**
 * Renewals and renewal proposals go to every channel (SPEC §16: "every channel is told"); changes to
 * the channels whose threshold they meet.
 */
export function outboxEntryFor(event: AlertEvent, channels: readonly ChannelPolicy[]): OutboxEntry {
  const pending: OutboxEntry['pending'] = {};
  for (const c of channels) {
    if (event.type === 'renewed' || event.type === 'proposal' || meetsMinimum(event.severity, c.minSeverity)) pending[c.name] = 0;
  }
  return { event, pending };
}

/**
 * The assessments to store: the current ones, plus the last known (stale) ones of kinds that could
 * not be read and of removed assets whose resolution has not reached every channel yet.
 */
function mergeAssessments(
  current: readonly Assessment[],
  stored: readonly Assessment[],
  readKinds: ReadonlySet<AssetKind>,
  openKeys: ReadonlySet<string>,
): Assessment[] {
  const kept = stored
    .filter((a) => a.kind !== 'monitor' && (!readKinds.has(a.kind) || openKeys.has(a.key)))
    .map((a) => ({ ...a, stale: true }));
  const currentKeys = new Set(current.map((a) => a.key));
  return [...current.map((a) => ({ ...a })), ...kept.filter((a) => !currentKeys.has(a.key))];
}

export interface DeliveryOutcome {
  delivery: PlannedDelivery;
  ok: boolean;
}

/**
 * Records what the channels accepted: a mark for an accepted alert, the mark cleared or lowered for
 * an accepted resolution, the outbox entry ticked off. A refused delivery keeps its claim but lets
 * it lapse, so the next run retries it with the same event id.
 */
export function applyDeliveryOutcomes(
  input: TenantState,
  outcomes: readonly DeliveryOutcome[],
  channels: readonly ChannelPolicy[],
  now: EpochMs,
): TenantState {
  const state = writableCopy(input);
  const minOf = new Map(channels.map((c) => [c.name, c.minSeverity]));
  for (const { delivery, ok } of outcomes) {
    const { channel, event } = delivery;
    if (delivery.oneShot) {
      const entry = state.outbox.find((e) => e.event.id === event.id);
      if (!entry || entry.pending[channel] === undefined) continue;
      if (ok) delete entry.pending[channel];
      else entry.pending[channel] = 0;
      continue;
    }
    const record = state.channels[event.key]?.[channel];
    if (!record?.claim || record.claim.eventId !== event.id) continue; // superseded by another run
    if (!ok) {
      record.claim.until = 0;
      continue;
    }
    delete record.claim;
    const min = minOf.get(channel);
    const keepsMark = event.type !== 'resolved' || (min !== undefined && meetsMinimum(event.severity, min));
    if (keepsMark) record.mark = markOf(event, now);
    else delete record.mark;
    storeRecord(state, event.key, channel, record);
  }
  state.outbox = state.outbox.filter((e) => Object.keys(e.pending).length > 0);
  return state;
}

function markOf(event: AlertEvent, now: EpochMs): NonNullable<ChannelRecord['mark']> {
  const cause: FindingCode = event.findings[0]?.code ?? 'expiry';
  const mark: NonNullable<ChannelRecord['mark']> = { severity: event.severity as Severity, at: now, eventId: event.id, cause };
  if (event.asset.expiresAt !== undefined) mark.expiresAt = event.asset.expiresAt;
  return mark;
}
