import type { EpochMs } from './assets';

// Graph sends 0–7 fractional digits and `Z` or an offset such as `-08:00`. `Date.parse` accepts
// looser shapes (and local time when the zone is missing), so the format is checked exactly.
const GRAPH_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/;
const MS_PER_MINUTE = 60_000;

/**
 * Parses a Graph `DateTimeOffset` into epoch milliseconds, exactly (sub-millisecond digits are
 * truncated). Returns undefined for anything else, so callers decide what a bad date means.
 */
export function parseGraphDateTime(value: unknown): EpochMs | undefined {
  if (typeof value !== 'string') return undefined;
  const m = GRAPH_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return utc(year, month, day, hour, minute, second, ms) - offsetMinutes * MS_PER_MINUTE;
}

/** `Date.UTC` reads years 0–99 as 1900–1999; setUTCFullYear takes the year as written. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): EpochMs {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * `0001-01-01T00:00:00Z` is the default of a non-nullable `DateTimeOffset`: Graph sends it for a
 * date that was never set (an unconfigured tenant). Anything before year 2 is read as "unset".
 */
export const UNSET_DATE_BEFORE: EpochMs = utc(2, 1, 1, 0, 0, 0, 0);

export function isUnsetGraphDate(ms: EpochMs): boolean {
  return ms < UNSET_DATE_BEFORE;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** ISO 8601 in UTC, the one format the product prints and stores. */
export function formatUtc(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/**
 * A date a person gives (`--now`, `--until`, the status page's date field): an ISO 8601 instant with
 * a zone, or a plain date `YYYY-MM-DD`, read as midnight UTC. Undefined for anything else.
 */
export function parseDateOrInstant(text: string): EpochMs | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseGraphDateTime(`${text}T00:00:00Z`) : parseGraphDateTime(text);
}
