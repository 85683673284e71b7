import type { Acknowledgement } from './acknowledgement';
import type { EpochMs } from './assets';
import type { AlertEvent, AlertEventType } from './alertEvent';
import type { Assessment, FindingCode } from './assessment';
import type { DestinationId } from './channels';
import { AppError } from './errors';
import { isRecord } from './graphJson';
import type { Severity } from './severity';

/** What a channel last accepted for one alert key. */
export interface ChannelMark {
  severity: Severity;
  at: EpochMs;
  eventId: string;
  expiresAt?: EpochMs;
  /** The finding that caused the alert: an expiry alert resolves only when the expiry moves forward. */
  cause: FindingCode;
}

/**
 * A delivery a run has claimed. While `until` is in the future another run leaves it alone (no
 * double-send); once past (the run failed or died), the next run retries it with the same event id.
 */
export interface ChannelClaim {
  eventId: string;
  type: AlertEventType;
  severity: Severity;
  until: EpochMs;
}

export interface ChannelRecord {
  mark?: ChannelMark;
  claim?: ChannelClaim;
}

/** A one-shot message (a change, a renewal) waiting for the channels that have not accepted it. */
export interface OutboxEntry {
  event: AlertEvent;
  /** Destination → claim expiry (0 = not claimed). */
  pending: Partial<Record<DestinationId, EpochMs>>;
}

/** The last APNs certificate seen, to detect topic and Apple ID changes between runs. */
export interface ApnsLastSeen {
  topic: string;
  appleId: string;
  serialNumber: string;
  expiresAt: EpochMs;
}

/** A destination whose receiver answered 410 Gone: off for this tenant until its setting changes. */
export interface DisabledChannel {
  /** The notifier's fingerprint when it was switched off; another one means the setting changed. */
  fingerprint: string;
  at: EpochMs;
  reason: string;
}

export interface RunRecord {
  at: EpochMs;
  ok: boolean;
  worstSeverity: Severity;
  errorCode?: string;
  message?: string;
  /** The Graph permissions the run's reads were refused for (SPEC §15 "consent status": which one is missing). */
  missingPermissions?: string[];
}

export interface TenantState {
  schema: 1;
  tenantId: string;
  lastRun?: RunRecord;
  /** When a run last read Intune and had every message accepted (the status page's "last successful check"). */
  lastSuccessAt?: EpochMs;
  /** The latest assessment per asset (`stale` when its kind could not be read on the last run). */
  assessments: Assessment[];
  apns?: ApnsLastSeen;
  /** Alert key → destination (`teams`, `teams@ACME`) → record. */
  channels: Record<string, Partial<Record<DestinationId, ChannelRecord>>>;
  outbox: OutboxEntry[];
  /** Destination → why it is off (410 Gone). */
  disabledChannels?: Partial<Record<DestinationId, DisabledChannel>>;
  /** Alert key → its acknowledgement, while it pauses the reminders (SPEC §15); a run removes it once it ends. */
  acks?: Record<string, Acknowledgement>;
}

export function emptyTenantState(tenantId: string): TenantState {
  return { schema: 1, tenantId, assessments: [], channels: {}, outbox: [] };
}

/**
 * Turns stored JSON into a TenantState or throws `state_unreadable`. The check is structural: enough
 * to refuse a file that is not ours or was cut short, never "repairing" it silently.
 */
export function parseTenantState(value: unknown, where: string): TenantState {
  const fail = (why: string): never => {
    throw new AppError('state_unreadable', `The monitor state in ${where} is unreadable: ${why}. It was left as it is; fix or remove it.`);
  };
  if (!isRecord(value)) return fail('it is not a JSON object');
  if (value.schema !== 1) return fail(`unknown schema ${JSON.stringify(value.schema)}`);
  if (typeof value.tenantId !== 'string') return fail('tenantId is missing');
  if (!Array.isArray(value.assessments)) return fail('assessments is not a list');
  if (!isRecord(value.channels)) return fail('channels is not an object');
  if (!Array.isArray(value.outbox)) return fail('outbox is not a list');
  for (const [key, byChannel] of Object.entries(value.channels)) {
    if (!isRecord(byChannel)) return fail(`channels["${key}"] is not an object`);
  }
  if (value.apns !== undefined && !isRecord(value.apns)) return fail('apns is not an object');
  if (value.acks !== undefined && !isRecord(value.acks)) return fail('acks is not an object');
  return value as unknown as TenantState;
}
