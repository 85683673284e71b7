/** Alert severities, from best to worst. `expired` ranks above `critical`: it never goes quiet. */
export const SEVERITIES = ['ok', 'notice', 'warning', 'critical', 'expired'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severities a channel can be configured to start at (`APNS_<CHANNEL>_MIN_SEVERITY`). */
export const MIN_SEVERITIES = ['notice', 'warning', 'critical'] as const;
export type MinSeverity = (typeof MIN_SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isWorse(a: Severity, b: Severity): boolean {
  return severityRank(a) > severityRank(b);
}

export function worstOf(severities: readonly Severity[]): Severity {
  return severities.reduce<Severity>((worst, s) => (isWorse(s, worst) ? s : worst), 'ok');
}

/** True when a message of `severity` reaches a channel whose threshold is `min`. */
export function meetsMinimum(severity: Severity, min: MinSeverity): boolean {
  return severity !== 'ok' && severityRank(severity) >= severityRank(min);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}
