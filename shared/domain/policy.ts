import type { Severity } from './severity';

/** The alert policy of SPEC §3; every number comes from a documented setting. */
export interface AlertPolicy {
  /** `APNS_NOTICE_DAYS`: notice while 30 < d ≤ 60 (defaults). */
  noticeDays: number;
  /** `APNS_WARNING_DAYS` */
  warningDays: number;
  /** `APNS_CRITICAL_DAYS` */
  criticalDays: number;
  /** `APNS_REPEAT_HOURS_WARNING`: reminder interval while an asset stays at warning. */
  repeatHoursWarning: number;
  /** `APNS_REPEAT_HOURS_CRITICAL`: reminder interval while at critical or expired. */
  repeatHoursCritical: number;
  /** `APNS_SYNC_WARNING_HOURS`: a token or connector that last synced longer ago is a warning. */
  syncWarningHours: number;
  /** `APNS_SYNC_CRITICAL_HOURS`: longer ago than this, critical. */
  syncCriticalHours: number;
}

export const DEFAULT_POLICY: AlertPolicy = Object.freeze({
  noticeDays: 60,
  warningDays: 30,
  criticalDays: 7,
  repeatHoursWarning: 168,
  repeatHoursCritical: 24,
  // Intune's own connector status turns a sync older than a day to warning and three days to critical.
  syncWarningHours: 24,
  syncCriticalHours: 72,
});

const MS_PER_HOUR = 3_600_000;

/** How long until a reminder at this severity; undefined = never repeats (notice, ok). */
export function reminderIntervalMs(severity: Severity, policy: AlertPolicy): number | undefined {
  switch (severity) {
    case 'warning':
      return policy.repeatHoursWarning * MS_PER_HOUR;
    case 'critical':
    case 'expired':
      return policy.repeatHoursCritical * MS_PER_HOUR;
    default:
      return undefined;
  }
}
