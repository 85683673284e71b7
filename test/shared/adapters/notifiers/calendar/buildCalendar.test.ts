import ICAL from 'ical.js';
import { buildCalendar, calendarUid, foldLine } from '../../../../../shared/adapters/notifiers/calendar/buildCalendar';
import { escapeICalText } from '../../../../../shared/adapters/notifiers/plainText';
import { DEFAULT_POLICY } from '../../../../../shared/domain/policy';
import { contoso, fleetView, NOW } from '../../../../shared/dashboard/dashboardFixtures';

// A real, well-kept iCalendar parser (Mozilla's ical.js, the one Thunderbird's calendar uses) reads
// what the builder writes: the calendar is checked as a calendar program reads it, not as text.
const HOSTILE = 'Evil;Corp,\r\nEND:VEVENT\r\nBEGIN:VEVENT\\ \u001b[2J\u202e東京支社';

function parse(feed: string) {
  const calendar = new ICAL.Component(ICAL.parse(feed));
  return calendar.getAllSubcomponents('vevent').map((v) => ({
    uid: v.getFirstPropertyValue('uid') as string,
    summary: v.getFirstPropertyValue('summary') as string,
    description: v.getFirstPropertyValue('description') as string,
    start: (v.getFirstPropertyValue('dtstart') as ICAL.Time).toString(),
    end: (v.getFirstPropertyValue('dtend') as ICAL.Time).toString(),
    allDay: (v.getFirstPropertyValue('dtstart') as ICAL.Time).isDate,
    alarms: v.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger'))),
  }));
}

describe('buildCalendar (RFC 5545)', () => {
  const view = fleetView();
  const feed = buildCalendar({ tenants: view.tenants, policy: DEFAULT_POLICY, generatedAt: NOW });

  test('when a fleet is exported, each asset with a date that matters is one all-day event on that UTC day, with the tenant and the asset in its summary', () => {
    const events = parse(feed);
    // APNs, VPP and ADE expiries and a partner's deadline have a day; the monitor and the connectors without a date do not.
    const dated = view.tenants.flatMap((t) => t.assets.filter((a) => ['apns', 'vpp', 'ade', 'partners'].includes(a.kind) && a.expiresAt !== null && a.inUse));
    expect(events).toHaveLength(dated.length);
    const apns = events.find((e) => e.summary === 'Contoso Ltd: Apple MDM push certificate expires');
    const expires = contoso().assets.find((a) => a.kind === 'apns')?.expiresAt as string;
    expect(apns).toMatchObject({ allDay: true, start: expires.slice(0, 10), alarms: ['-P60D', '-P30D', '-P7D'] });
    expect(apns?.end).toBe(new Date(Date.parse(`${expires.slice(0, 10)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
    expect(apns?.description).toContain('Next steps:\n1. Renew in the Apple Push Certificates Portal signed in as mdm-admin@contoso.com');
    expect(apns?.description).toContain('Apple Push Certificates Portal: https://identity.apple.com/pushcert/');
    expect(events.find((e) => e.summary.startsWith('Contoso Ltd: Device management partner "Jamf Pro" — devices non-compliant from this day'))).toBeDefined();
  });

  test('when exported twice, at different times and in another order, every event keeps its UID (derived from the alert key, holding none of its text)', () => {
    const later = buildCalendar({ tenants: [...view.tenants].reverse(), policy: DEFAULT_POLICY, generatedAt: NOW + 86_400_000 });
    const uids = (f: string) => parse(f).map((e) => `${e.uid} ${e.summary}`).sort();
    expect(uids(later)).toEqual(uids(feed));
    expect(later).not.toBe(feed);
    const key = contoso().assets.find((a) => a.kind === 'apns')?.key as string;
    expect(calendarUid(key)).toMatch(/^[0-9a-f]{32}@intune-apns-monitor$/);
    expect(feed).toContain(`UID:${calendarUid(key)}\r\n`);
  });

  test('when every line is checked, each ends in CRLF and holds at most 75 octets', () => {
    expect(feed.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(feed.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of feed.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  test('when names hold the TEXT specials, a line break, control and bidi characters and CJK, they stay inside their property: one event, the name read back as written (the unsafe characters visible)', () => {
    const tenant = { ...contoso(), tenantName: HOSTILE, assets: contoso().assets.filter((a) => a.kind === 'apns').map((a) => ({ ...a, name: `${HOSTILE} ${'長い名前'.repeat(20)}` })) };
    const hostile = buildCalendar({ tenants: [tenant], policy: DEFAULT_POLICY, generatedAt: NOW });
    const events = parse(hostile);
    expect(events).toHaveLength(1);
    const expected = `${HOSTILE.replace('\u001b', '\\u001b').replace('\u202e', '\\u202e').replace(/\r\n/g, '\n')}`;
    expect(events[0]?.summary).toBe(`${expected}: ${expected} ${'長い名前'.repeat(20)} expires`);
    expect(hostile).not.toContain('\u001b');
    expect(hostile).not.toContain('\u202e');
    for (const line of hostile.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });
});

describe('the iCalendar text functions', () => {
  test.each([
    ['a;b,c\\d', 'a\\;b\\,c\\\\d'],
    ['one\r\ntwo\nthree\rfour\u2028five', 'one\\ntwo\\nthree\\nfour\\nfive'],
    ['bell\u0007 esc\u001b rlo\u202e', 'bell\\\\u0007 esc\\\\u001b rlo\\\\u202e'],
  ])('when %j is escaped, it is %j', (input, output) => {
    expect(escapeICalText(input)).toBe(output);
  });

  test('when a line of multi-byte characters is folded, no fold splits a character and each part is at most 75 octets', () => {
    const line = `SUMMARY:${'é東🍎'.repeat(30)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
      if (i > 0) expect(part.startsWith(' ')).toBe(true);
      expect(part).not.toContain('\uFFFD');
    }
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });
});
