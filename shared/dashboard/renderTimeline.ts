import { describeExpiry, MS_PER_DAY } from '../domain/assessExpiry';
import type { EpochMs } from '../domain/assets';
import type { Severity } from '../domain/severity';
import { SEVERITY_LABEL, timeLeftText, utcMinute } from './format';
import { html, raw, type SafeHtml } from './html';

export interface TimelineItem {
  /** Read by assistive technology and shown on hover: the whole story of the marker. */
  label: string;
  /** Printed beside the marker when there is room. */
  short: string;
  severity: Severity;
  expiresAt: EpochMs;
  /** Set in the fleet view: the filter box hides the marker with its table row. */
  filterText?: string;
}

export interface TimelineBands {
  noticeDays: number;
  warningDays: number;
  criticalDays: number;
}

export const TIMELINE_DAYS = 90;

// Geometry, in viewBox units (the SVG scales to its container, never below 36rem: it then scrolls).
const WIDTH = 1000;
const EXPIRED_ZONE = 96; // x < EXPIRED_ZONE: already expired, stacked at the left edge
const X0 = 124; // today
const X1 = 976; // today + 90 days
const TOP = 34; // below the band names
const LANE = 22;
const MAX_LANES = 8; // beyond this, markers share lanes (the table below still lists every one)
const CHAR = 7.4; // average advance of a 13px sans-serif character, to keep labels from overlapping
const MAX_LABEL_CHARS = 26;
const EXPIRED_COLUMNS = 3;
// A strip with hundreds of markers says nothing more than one with a hundred and costs a big DOM:
// the soonest are drawn, the rest counted (the table lists every one).
const MAX_UPCOMING = 120;
const MAX_EXPIRED = EXPIRED_COLUMNS * MAX_LANES;

const xOfDays = (days: number) => X0 + (Math.min(Math.max(days, 0), TIMELINE_DAYS) / TIMELINE_DAYS) * (X1 - X0);
const round = (n: number) => Math.round(n * 10) / 10;

const SHAPES: Record<Severity, string> = {
  expired: '<rect class="shape" x="-6.5" y="-6.5" width="13" height="13" rx="2"/><path class="cross" d="M-3.5-3.5L3.5 3.5M3.5-3.5L-3.5 3.5"/>',
  critical: '<path class="shape" d="M0-8L8 0L0 8L-8 0Z"/>',
  warning: '<path class="shape" d="M0-7.5L7.5 6.5H-7.5Z"/>',
  notice: '<circle class="shape" r="6.5"/>',
  ok: '<circle class="shape hollow" r="5.5"/>',
};

/** The marker shape of a severity, so the legend, the timeline and the table agree (never colour alone). */
export function severityGlyph(severity: Severity): SafeHtml {
  return html`<svg class="glyph mk-${severity}" viewBox="-9 -9 18 18" width="14" height="14" aria-hidden="true" focusable="false">${rawShape(severity)}</svg>`;
}

function rawShape(severity: Severity): SafeHtml {
  // Constant markup of this module, chosen by a closed union: no data reaches it.
  return raw(SHAPES[severity]);
}

interface Placed {
  item: TimelineItem;
  x: number;
  lane: number;
  text: string | null;
  textAnchor: 'start' | 'end';
}

function clip(text: string): string {
  return text.length > MAX_LABEL_CHARS ? `${text.slice(0, MAX_LABEL_CHARS - 1)}…` : text;
}

/** Greedy lanes: each marker takes the first lane where it (and its label, if any fits) overlaps nothing. */
function place(items: TimelineItem[], now: EpochMs): Placed[] {
  const laneEnds: number[] = [];
  const placed: Placed[] = [];
  const sorted = [...items].sort((a, b) => a.expiresAt - b.expiresAt);
  for (const item of sorted) {
    const x = xOfDays((item.expiresAt - now) / MS_PER_DAY);
    const text = clip(item.short);
    const width = text.length * CHAR + 12;
    const toLeft = x + width > WIDTH - 8;
    const spans: Array<[number, number, string | null]> = [
      toLeft ? [x - width, x + 9, text] : [x - 9, x + width, text],
      [x - 9, x + 9, null],
    ];
    let chosen: { lane: number; text: string | null } | undefined;
    for (const [start, end, label] of spans) {
      const lane = laneEnds.findIndex((e) => e < start);
      if (lane >= 0) {
        laneEnds[lane] = end;
        chosen = { lane, text: label };
      } else if (laneEnds.length < MAX_LANES) {
        laneEnds.push(end);
        chosen = { lane: laneEnds.length - 1, text: label };
      }
      if (chosen) break;
    }
    if (!chosen) {
      const lane = laneEnds.indexOf(Math.min(...laneEnds));
      laneEnds[lane] = x + 9;
      chosen = { lane, text: null };
    }
    placed.push({ item, x, lane: chosen.lane, text: chosen.text, textAnchor: toLeft ? 'end' : 'start' });
  }
  return placed;
}

/**
 * One marker: its stem, its shape and its printed label in one group, so whatever hides the marker
 * (the filter box) hides its label with it — never a label left floating beside a gap.
 */
function marker(item: TimelineItem, x: number, y: number, stemTo: number | null, label: SafeHtml | '' = ''): SafeHtml {
  return html`<g class="mk mk-${item.severity}" role="img" aria-label="${item.label}"${item.filterText === undefined ? '' : html` data-filter="${item.filterText}"`}><title>${item.label}</title>${
    stemTo === null ? '' : html`<line class="stem" x1="${round(x)}" y1="${round(y + 8)}" x2="${round(x)}" y2="${round(stemTo)}"/>`
  }<g transform="translate(${round(x)} ${round(y)})">${rawShape(item.severity)}</g>${label}</g>`;
}

/**
 * The next 90 days as an SVG strip: the policy's bands, one marker per expiry (shape and colour by
 * severity, each with its own accessible label), already-expired items stacked at the left edge.
 * Items further than 90 days out are counted, not drawn; so are markers beyond what a strip can show.
 */
export function renderTimeline(items: readonly TimelineItem[], now: EpochMs, bands: TimelineBands, titleId: string): { svg: SafeHtml; later: number; notDrawn: number } {
  const horizon = now + TIMELINE_DAYS * MS_PER_DAY;
  // Most recently expired first (an APNs certificate is still renewable for 30 days), then soonest.
  const allExpired = items.filter((i) => i.expiresAt < now).sort((a, b) => b.expiresAt - a.expiresAt);
  const allUpcoming = items.filter((i) => i.expiresAt >= now && i.expiresAt <= horizon).sort((a, b) => a.expiresAt - b.expiresAt);
  const later = items.length - allExpired.length - allUpcoming.length;
  const expired = allExpired.slice(0, MAX_EXPIRED);
  const upcoming = allUpcoming.slice(0, MAX_UPCOMING);
  const notDrawn = allExpired.length - expired.length + allUpcoming.length - upcoming.length;

  const placed = place(upcoming, now);
  const expiredColumns = EXPIRED_COLUMNS;
  const expiredLanes = Math.min(Math.ceil(expired.length / expiredColumns), MAX_LANES);
  const lanes = Math.max(1, expiredLanes, ...placed.map((p) => p.lane + 1));
  const axisY = TOP + lanes * LANE + 10;
  const height = axisY + 40;
  const laneY = (lane: number) => TOP + 10 + lane * LANE;

  const band = (from: number, to: number, cls: string, name: string) => {
    const x = xOfDays(from);
    const w = xOfDays(to) - x;
    return html`<rect class="band ${cls}" x="${round(x)}" y="0" width="${round(w)}" height="${axisY}"/><text class="band-name" x="${round(x + w / 2)}" y="20" text-anchor="middle" aria-hidden="true">${w > name.length * 7 ? name : ''}</text>`;
  };
  const tick = (days: number, text: string) => {
    const x = xOfDays(days);
    return html`<line class="tick" x1="${round(x)}" y1="${axisY}" x2="${round(x)}" y2="${axisY + 6}"/><text class="tick-label" x="${round(x)}" y="${axisY + 22}" text-anchor="${days === 0 ? 'start' : days === TIMELINE_DAYS ? 'end' : 'middle'}" aria-hidden="true">${text}</text>`;
  };

  const expiredMarkers = expired.map((item, i) => marker(item, 22 + (i % expiredColumns) * 26, laneY(Math.min(Math.floor(i / expiredColumns), MAX_LANES - 1)), null));
  const upcomingMarkers = placed.map((p) => {
    const y = laneY(p.lane);
    const label = p.text === null ? '' : html`<text class="mk-label" x="${round(p.textAnchor === 'start' ? p.x + 11 : p.x - 11)}" y="${round(y + 4)}" text-anchor="${p.textAnchor}" aria-hidden="true">${p.text}</text>`;
    return marker(p.item, p.x, y, axisY, label);
  });

  const summary = `${allExpired.length} already expired, ${allUpcoming.length} expiring within ${TIMELINE_DAYS} days${later > 0 ? `, ${later} later` : ''}${notDrawn > 0 ? ` (${notDrawn} not drawn)` : ''}.`;
  const svg = html`<svg class="tl" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="${titleId}-t" aria-describedby="${titleId}-d">
<title id="${titleId}-t">Expiry timeline, ${utcMinute(now).slice(0, 10)} to ${utcMinute(horizon).slice(0, 10)}</title>
<desc id="${titleId}-d">${summary} Expired items are stacked at the left edge; each marker is labelled with its tenant, asset, severity and expiry date.</desc>
<rect class="band band-expired" x="0" y="0" width="${EXPIRED_ZONE}" height="${axisY}"/><text class="band-name" x="${EXPIRED_ZONE / 2}" y="20" text-anchor="middle" aria-hidden="true">Expired</text>
${band(0, bands.criticalDays, 'band-critical', 'Critical')}${band(bands.criticalDays, bands.warningDays, 'band-warning', 'Warning')}${band(bands.warningDays, bands.noticeDays, 'band-notice', 'Notice')}${band(bands.noticeDays, TIMELINE_DAYS, 'band-ok', 'OK')}
<line class="axis" x1="${X0}" y1="${axisY}" x2="${X1}" y2="${axisY}"/><line class="today" x1="${X0}" y1="0" x2="${X0}" y2="${axisY}"/>
${tick(0, 'today')}${[bands.criticalDays, bands.warningDays, bands.noticeDays].filter((d) => d > 0 && d < TIMELINE_DAYS).map((d) => tick(d, `${d} d`))}${tick(TIMELINE_DAYS, `${TIMELINE_DAYS} d`)}
${expiredMarkers}${upcomingMarkers}
</svg>`;
  return { svg, later, notDrawn };
}

/** The words a marker is read out with. */
export function timelineLabel(who: string, severity: Severity, expiresAt: EpochMs, now: EpochMs, dateTitle = 'Expires'): string {
  // A date that is not an expiry (a partner's "devices non-compliant from") is named for what it is.
  if (dateTitle !== 'Expires') return `${who}: ${SEVERITY_LABEL[severity]}, ${dateTitle.toLowerCase()} ${utcMinute(expiresAt)} (${describeExpiry(expiresAt, now)})`;
  return `${who}: ${SEVERITY_LABEL[severity]}, ${expiresAt < now ? '' : 'expires in '}${timeLeftText(expiresAt, now)} (${utcMinute(expiresAt)})`;
}
