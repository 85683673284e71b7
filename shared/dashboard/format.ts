import { daysRemaining, describeExpiry, MS_PER_DAY } from '../domain/assessExpiry';
import type { EpochMs } from '../domain/assets';
import type { Severity } from '../domain/severity';

/** A row's severity, or `unknown` for a tenant no run has read yet. */
export type ShownSeverity = Severity | 'unknown';

export const SEVERITY_LABEL: Record<ShownSeverity, string> = {
  expired: 'Expired',
  critical: 'Critical',
  warning: 'Warning',
  notice: 'Notice',
  ok: 'OK',
  unknown: 'No data',
};

/** "2026-01-05 08:00 UTC": minutes are enough for a person; the ISO value stays in `datetime`. */
export function utcMinute(ms: EpochMs): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function isoOf(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/** Parses a view's ISO date; null for null or an unreadable value (never NaN on the page). */
export function parseIso(value: string | null | undefined): EpochMs | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "just now", "5 min ago", "3 h ago", "2 days ago" (and "in …" for a time ahead of `now`). */
export function relativeTime(ms: EpochMs, now: EpochMs): string {
  const delta = now - ms;
  const abs = Math.abs(delta);
  let text: string;
  if (abs < 60_000) return 'just now';
  if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)} min`;
  else if (abs < MS_PER_DAY) text = `${Math.floor(abs / 3_600_000)} h`;
  else text = plural(Math.floor(abs / MS_PER_DAY), 'day');
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** "12 days", "1 day", "less than a day", "expired 3 days ago" (the messages' own phrase). */
export function timeLeftText(expiresAt: EpochMs, now: EpochMs): string {
  if (expiresAt < now) return `expired ${describeExpiry(expiresAt, now)}`;
  const days = daysRemaining(expiresAt, now);
  return days === 0 ? 'less than a day' : plural(days, 'day');
}
