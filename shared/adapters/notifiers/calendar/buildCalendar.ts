import { createHash } from 'node:crypto';
import { linksFor, nextStepsFor, type AlertAsset } from '../../../domain/alertEvent';
import { MS_PER_DAY } from '../../../domain/assessExpiry';
import { isMonitoredKind, type MonitoredKind } from '../../../domain/assets';
import { kindSpec } from '../../../domain/assetKinds';
import { describeTenant } from '../../../domain/describeTenant';
import { formatUtc } from '../../../domain/graphDateTime';
import type { AlertPolicy } from '../../../domain/policy';
import type { AssetStatus, StatusView } from '../../../useCases/getStatus';
import { escapeICalText } from '../plainText';

/**
 * The expiry calendar (SPEC §15) as an iCalendar feed (RFC 5545), from stored state: a pure function,
 * like the channels' payload builders. One all-day event per asset whose kind has a date that matters
 * (the kind registry's `date`: an expiry, a partner's non-compliance deadline), on that date (UTC);
 * a UID derived from the alert key, so a re-export or a subscribed calendar updates the same event;
 * the tenant and the asset in SUMMARY, the next steps in DESCRIPTION, and an alarm at each of the
 * policy's thresholds (notice, warning, critical days before). Every text value from Graph or state
 * goes through `escapeICalText`; lines are folded at 75 octets without splitting a UTF-8 character,
 * and end in CRLF.
 */
export interface CalendarInput {
  tenants: readonly StatusView[];
  policy: Pick<AlertPolicy, 'noticeDays' | 'warningDays' | 'criticalDays'>;
  /** When the feed is made (DTSTAMP). */
  generatedAt: number;
}

const PRODUCT = 'intune-apns-monitor';
const CRLF = '\r\n';
const MAX_OCTETS = 75; // RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break

/** `20270115T080000Z`: a UTC DATE-TIME (RFC 5545 §3.3.5, form #2). */
function dateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** `20270115`: a DATE (§3.3.4), the UTC day of the instant. */
function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * One content line folded (§3.1): at most 75 octets per line, continued after CRLF and one space. A
 * line breaks between characters, never inside a UTF-8 sequence or a surrogate pair.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    // The first line holds 75 octets; a continuation holds 74 after its leading space.
    if (octets + size > (out.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1)) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

/** A UID that stays the same for the same alert key across exports, and carries none of its text (Graph ids). */
export function calendarUid(alertKey: string): string {
  return `${createHash('sha256').update(alertKey).digest('hex').slice(0, 32)}@${PRODUCT}`;
}

/** The asset as the next steps and links of its kind take it (its id is the last part of its alert key). */
function alertAssetOf(asset: AssetStatus & { kind: MonitoredKind }, expiresAt: number): AlertAsset {
  return {
    kind: asset.kind,
    assetId: asset.key.split(':').slice(2).join(':'),
    name: asset.name,
    expiresAt,
    ...(asset.appleId ? { appleId: asset.appleId } : {}),
    ...(asset.topic ? { topic: asset.topic } : {}),
    ...(asset.serialNumber ? { serialNumber: asset.serialNumber } : {}),
    ...(asset.daysRemaining === null ? {} : { daysRemaining: asset.daysRemaining }),
  };
}

function eventLines(tenant: StatusView, asset: AssetStatus, input: CalendarInput): string[] {
  const at = asset.expiresAt === null ? NaN : Date.parse(asset.expiresAt);
  // The monitor itself and the kinds without a date of their own have no day in the calendar.
  if (!isMonitoredKind(asset.kind) || !Number.isFinite(at) || !asset.inUse) return [];
  const spec = kindSpec(asset.kind);
  if (!spec.date) return [];
  const alertAsset = alertAssetOf({ ...asset, kind: asset.kind }, at);
  const title = spec.date.title;
  const text = escapeICalText;
  const summary = title === 'Expires' ? `${tenant.tenantName}: ${asset.name} expires` : `${tenant.tenantName}: ${asset.name} — ${title.toLowerCase()} this day`;
  const steps = nextStepsFor(alertAsset, asset.findings);
  const description = [
    `${describeTenant(tenant.tenantId, tenant.tenantName)}: ${asset.name}.`,
    `${title}: ${formatUtc(at)}.`,
    ...(asset.appleId ? [`Apple ID: ${asset.appleId}.`] : []),
    ...(asset.topic ? [`Topic: ${asset.topic}.`] : []),
    `Severity at the last check (${asset.assessedAt.slice(0, 16).replace('T', ' ')} UTC): ${asset.severity}.`,
    '',
    'Next steps:',
    ...steps.map((s, i) => `${i + 1}. ${s}`),
    '',
    ...linksFor(alertAsset).map((l) => `${l.title}: ${l.url}`),
  ].join('\n');
  const day = new Date(at);
  const dayStart = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const lines = [
    'BEGIN:VEVENT',
    `UID:${calendarUid(asset.key)}`,
    `DTSTAMP:${dateTime(input.generatedAt)}`,
    `DTSTART;VALUE=DATE:${date(dayStart)}`,
    // All day: DTEND is the next day, not included (§3.6.1).
    `DTEND;VALUE=DATE:${date(dayStart + MS_PER_DAY)}`,
    `SUMMARY:${text(summary)}`,
    `DESCRIPTION:${text(description)}`,
    `CATEGORIES:${text(spec.label)}`,
    // A reminder, not a meeting: it never shows the day as busy.
    'TRANSP:TRANSPARENT',
  ];
  // One alarm per threshold of the policy, as many days before the date (SPEC §3's bands).
  const thresholds: [string, number][] = [
    ['notice', input.policy.noticeDays],
    ['warning', input.policy.warningDays],
    ['critical', input.policy.criticalDays],
  ];
  for (const [band, days] of thresholds) {
    lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `TRIGGER:-P${days}D`, `DESCRIPTION:${text(`${band.toUpperCase()}: ${summary} in ${days} day${days === 1 ? '' : 's'}`)}`, 'END:VALARM');
  }
  lines.push('END:VEVENT');
  return lines;
}

export function buildCalendar(input: CalendarInput): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//${PRODUCT}//Expiry calendar//EN`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    // The name calendar programs show for a subscribed feed (a widely read extension).
    `X-WR-CALNAME:${escapeICalText('Intune APNs monitor: expiries')}`,
  ];
  for (const tenant of input.tenants) for (const asset of tenant.assets) lines.push(...eventLines(tenant, asset, input));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
