import type { EpochMs } from './assets';
import type { AlertPolicy } from './policy';
import type { Severity } from './severity';

export const MS_PER_DAY = 86_400_000;
/** Apple: an expired push certificate can still be renewed for 30 days; after that only a new one. */
export const APNS_GRACE_DAYS = 30;

/** Whole days from now to the expiry, rounded down; negative once expired (SPEC §3). */
export function daysRemaining(expiresAt: EpochMs, now: EpochMs): number {
  return Math.floor((expiresAt - now) / MS_PER_DAY);
}

/** The band an expiry falls in: ok > notice > warning > critical ≥ 0 > expired. */
export function expirySeverity(days: number, policy: AlertPolicy): Severity {
  if (days < 0) return 'expired';
  if (days <= policy.criticalDays) return 'critical';
  if (days <= policy.warningDays) return 'warning';
  if (days <= policy.noticeDays) return 'notice';
  return 'ok';
}

export interface ExpiryAssessment {
  daysRemaining: number;
  severity: Severity;
}

export function assessExpiry(expiresAt: EpochMs, now: EpochMs, policy: AlertPolicy): ExpiryAssessment {
  const days = daysRemaining(expiresAt, now);
  return { daysRemaining: days, severity: expirySeverity(days, policy) };
}

/**
 * "in 25 days", "within 24 hours", "3 days ago": the phrase every message uses. Ahead, it counts
 * the whole days left (d, rounded down); behind, the whole days elapsed since the expiry.
 */
export function describeExpiry(expiresAt: EpochMs, now: EpochMs): string {
  if (expiresAt >= now) {
    const days = daysRemaining(expiresAt, now);
    if (days > 1) return `in ${days} days`;
    return days === 1 ? 'in 1 day' : 'within 24 hours';
  }
  const ago = Math.floor((now - expiresAt) / MS_PER_DAY);
  if (ago === 0) return 'less than a day ago';
  return ago === 1 ? '1 day ago' : `${ago} days ago`;
}
