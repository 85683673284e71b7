import type { EpochMs } from './assets';
import type { Assessment } from './assessment';
import { AppError } from './errors';
import { MS_PER_DAY } from './assessExpiry';
import { formatUtc } from './graphDateTime';
import { isOneLine } from './oneLine';
import { isWorse, type Severity } from './severity';

/**
 * Acknowledgements (SPEC §15): "renewal booked for Thursday" pauses the reminders of one alert at
 * its current severity, for a bounded time, and never hides anything worse. Pure: the decision to
 * accept one and what becomes of it on each run are table-tested.
 */

/** At most this long: CIPP's maintainer refused unlimited snoozes (#118, #606); a month covers a booked renewal. */
export const MAX_ACK_DAYS = 30;
/** A reason is a sentence or two ("renewal booked for Thursday with the Apple ID owner"), not a document. */
export const MAX_ACK_REASON_CHARS = 500;
/** Who acknowledged: an Entra UPN or `user@host (local)`. */
const MAX_ACTOR_CHARS = 200;

export interface Acknowledgement {
  key: string;
  /** The severity acknowledged: its reminders pause; a worse one breaks through and ends it. */
  severity: Severity;
  /** Who acknowledged it (an Entra principal name, or the CLI's user). */
  by: string;
  reason: string;
  at: EpochMs;
  /** Reminders resume at this instant (at most 30 days after `at`, and never after the asset's expiry). */
  until: EpochMs;
}

export interface AcknowledgeRequest {
  key: string;
  until: EpochMs;
  reason: string;
  by: string;
}

/**
 * What becomes of an acknowledgement on a run: it keeps pausing reminders (`active`), or it ended
 * because its time is up (`lapsed`), a worse severity broke through (`escalated`) or the alert
 * got better or went away (`resolved`).
 */
export type AcknowledgementStatus = 'active' | 'lapsed' | 'escalated' | 'resolved';

/**
 * Accepts an acknowledgement of `assessment` (the stored one of `request.key`), or throws
 * `ack_refused` saying why: there is no such alert, it is the monitor's own failure or an expired
 * asset (they never go quiet), it is ok, or the date is past, more than 30 days away or after the
 * expiry. A malformed reason is `invalid_request`.
 */
export function decideAcknowledgement(request: AcknowledgeRequest, assessment: Assessment | undefined, now: EpochMs): Acknowledgement {
  const refuse = (why: string): never => {
    throw new AppError('ack_refused', `Not acknowledged: ${why} Nothing was changed.`);
  };
  const reason = request.reason.trim();
  if (reason === '') throw new AppError('invalid_request', 'Not acknowledged: a reason is required (e.g. "renewal booked for Thursday"). Nothing was changed.');
  if (reason.length > MAX_ACK_REASON_CHARS || !isOneLine(reason)) {
    throw new AppError('invalid_request', `Not acknowledged: the reason must be one line of at most ${MAX_ACK_REASON_CHARS} characters. Nothing was changed.`);
  }
  const by = request.by.trim().slice(0, MAX_ACTOR_CHARS) || 'unknown';
  // The fleet's own alert lives in a record of its own (`fleet:<home>`): it is known by its key.
  if (!assessment && request.key.split(':')[1] === 'monitor') {
    return refuse(`${request.key} is the monitor's own failure, and monitor failures never go quiet: while it fails, nothing it covers is watched. Fix its cause; the next good run resolves it.`);
  }
  if (!assessment) {
    return refuse(`there is no alert ${request.key} in the stored state. The keys are those of "apns-monitor check --json" (assets[].key) and of the status page, once a run has stored them.`);
  }
  if (assessment.kind === 'monitor') {
    return refuse(`${assessment.name} is the monitor's own failure, and monitor failures never go quiet: while it fails, nothing else of this tenant is watched. Fix its cause; the next good run resolves it.`);
  }
  if (assessment.severity === 'expired') {
    return refuse(`${assessment.name} has expired, and an expired asset never goes quiet (an expired push certificate stops every Apple device from being managed). Renew it now.`);
  }
  if (assessment.severity === 'ok' || assessment.inUse === false) return refuse(`${assessment.name} is ${assessment.inUse === false ? 'not in use' : 'ok'}: there is nothing to acknowledge.`);
  if (request.until <= now) return refuse(`the end of the acknowledgement (${formatUtc(request.until)}) is not in the future.`);
  const longest = now + MAX_ACK_DAYS * MS_PER_DAY;
  if (request.until > longest) {
    return refuse(`an acknowledgement lasts at most ${MAX_ACK_DAYS} days (until ${formatUtc(longest)}), and ${formatUtc(request.until)} is later. Acknowledge it again then if the renewal is still pending.`);
  }
  if (assessment.expiresAt !== undefined && request.until > assessment.expiresAt) {
    return refuse(`${assessment.name} expires ${formatUtc(assessment.expiresAt)}, and an acknowledgement cannot outlast it (once expired it never goes quiet). Choose a date up to the expiry.`);
  }
  return { key: request.key, severity: assessment.severity, by, reason, at: now, until: request.until };
}

/**
 * What becomes of `ack` on a run that assessed its alert as `assessment` (undefined: not read this
 * run, or gone; `vanished` tells which).
 */
export function acknowledgementStatus(ack: Acknowledgement, assessment: Assessment | undefined, vanished: boolean, now: EpochMs): AcknowledgementStatus {
  if (ack.until <= now) return 'lapsed';
  // Not read this run (its kind failed): nothing is known to have changed, so it holds.
  if (!assessment) return vanished ? 'resolved' : 'active';
  if (isWorse(assessment.severity, ack.severity)) return 'escalated';
  return assessment.severity === ack.severity ? 'active' : 'resolved';
}

/** "by ada@contoso.com until 2027-01-15T00:00:00.000Z: renewal booked" — for logs, channels and the CLI. */
export function describeAcknowledgement(ack: Pick<Acknowledgement, 'by' | 'until' | 'reason'>): string {
  return `by ${ack.by} until ${formatUtc(ack.until)}: ${ack.reason}`;
}
