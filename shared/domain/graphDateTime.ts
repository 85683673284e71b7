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
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * MS_PER_MINUTE;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** ISO 8601 in UTC, the one format the product prints and stores. */
export function formatUtc(ms: EpochMs): string {
  return new Date(ms).toISOString();
}
