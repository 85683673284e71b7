import type { EpochMs } from './assets';
import { MS_PER_DAY } from './assessExpiry';
import type { Finding } from './assessment';
import { formatUtc } from './graphDateTime';
import type { AlertPolicy } from './policy';

const MS_PER_HOUR = 3_600_000;

export interface SyncAge {
  /** When it last synced (or was last heard from); null = never (Graph's `0001-01-01`), which says nothing. */
  at: EpochMs | null;
  /** When Intune was read: the age counts from it, not from a `--now` forecast. */
  readAt: EpochMs;
  policy: Pick<AlertPolicy, 'syncWarningHours' | 'syncCriticalHours'>;
  /** A tighter critical limit of the connector's own (MTD's `partnerUnresponsivenessThresholdInDays`), with why it matters. */
  criticalAfter?: { ms: number; why: string };
}

/**
 * "<what> has not synced for 3 days (last sync …)": a warning past `APNS_SYNC_WARNING_HOURS`,
 * critical past `APNS_SYNC_CRITICAL_HOURS` (or the connector's own limit, when tighter). Undefined
 * when the sync is recent or has never happened (a date Intune never set is no evidence of a stall).
 */
export function syncFinding(what: string, verb: string, age: SyncAge): Finding | undefined {
  if (age.at === null) return undefined;
  const elapsed = age.readAt - age.at;
  const own = age.criticalAfter;
  const critical = elapsed > age.policy.syncCriticalHours * MS_PER_HOUR || (own !== undefined && elapsed >= own.ms);
  if (!critical && elapsed <= age.policy.syncWarningHours * MS_PER_HOUR) return undefined;
  const since = durationText(elapsed);
  const why = critical && own !== undefined && elapsed >= own.ms ? ` ${own.why}` : '';
  return {
    code: 'sync_stale',
    severity: critical ? 'critical' : 'warning',
    message: `${what} has not ${verb} for ${since} (last ${formatUtc(age.at)}).${why}`,
  };
}

/** "30 hours", "3 days": hours while under two days, where whole days would hide half of it. */
function durationText(ms: number): string {
  const hours = Math.floor(ms / MS_PER_HOUR);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.floor(ms / MS_PER_DAY)} days`;
}
