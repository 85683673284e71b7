import type { EpochMs } from './assets';
import type { Finding } from './assessment';
import { formatUtc } from './graphDateTime';
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

/**
 * The finding of an expiry date: "<what> expires in 25 days (…)". With `grace` (the APNs
 * certificate), an expired one says until when Apple still renews it, then that only a new one is left.
 */
export function expiryFinding(what: string, expiresAt: EpochMs, now: EpochMs, policy: AlertPolicy, grace: boolean): Finding {
  const { severity } = assessExpiry(expiresAt, now, policy);
  const phrase = describeExpiry(expiresAt, now);
  const when = formatUtc(expiresAt);
  if (severity !== 'expired') {
    return { code: 'expiry', severity, message: `${what} expires ${phrase} (${when}).` };
  }
  if (!grace) return { code: 'expiry', severity, message: `${what} expired ${phrase} (${when}).` };
  const graceEnds = expiresAt + APNS_GRACE_DAYS * MS_PER_DAY;
  const message =
    graceEnds > now
      ? `${what} expired ${phrase} (${when}). It can still be renewed until ${formatUtc(graceEnds)}; after that every device must be re-enrolled.`
      : `${what} expired ${phrase} (${when}) and Apple's ${APNS_GRACE_DAYS}-day renewal grace period is over: a new certificate is the only way, and every device must be re-enrolled.`;
  return { code: 'expiry', severity, message };
}
