import { HttpRequest } from '@azure/functions';
import ICAL from 'ical.js';
import { getApnsCalendar } from '../../functions/getApnsCalendar';
import { main } from '../../shared/cli/main';
import { apnsFixture, vppFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { bufferIo } from '../support/bufferIo';
import { recordingContext, withAppSettings } from '../support/functionEnv';
import { FLEET_APP_ROLES, startFleetHarness, type FleetHarness } from '../support/tenantHarness';

// The expiry calendar (SPEC §15) from a fleet's stored state: `GET /api/apns/calendar.ics` and
// `apns-monitor calendar` serve the same feed, which Mozilla's ical.js (a real, well-kept iCalendar
// parser) reads back — hostile Graph names included — with the same UIDs on every export.
const DAY = 86_400_000;
const storage = process.env.APNS_TEST_STORAGE_CONNECTION as string;
const HOSTILE_TOKEN = 'Retail; Stores, "East"\r\nEND:VCALENDAR\u001b]0;x\u0007';
let h: FleetHarness;
let restore: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startFleetHarness({
    tenants: [
      { displayName: 'Contoso; Ltd.', graph: { apns: apnsFixture({ expiresAt: Date.now() + 25 * DAY }), vppTokens: [vppFixture({ id: 'vpp-1', organizationName: HOSTILE_TOKEN, expiresAt: Date.now() + 200 * DAY })] } },
      { displayName: 'Fabrikam', graph: { apns: apnsFixture({ expiresAt: Date.now() + 5 * DAY }) } },
    ],
  });
  env = { ...h.env, AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('calendar') };
  restore = withAppSettings(env);
  // The CLI's check fills the Table Storage the Functions read (the timer's queue is another test's).
  const io = bufferIo(env);
  expect(await main(['check'], io)).toBe(2);
});
afterAll(async () => {
  restore();
  await h.close();
});

const request = (query = '') => new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/apns/calendar.ics${query}`, headers: { 'accept-encoding': 'identity' } });

function events(feed: string) {
  return new ICAL.Component(ICAL.parse(feed)).getAllSubcomponents('vevent').map((v) => ({
    uid: String(v.getFirstPropertyValue('uid')),
    summary: String(v.getFirstPropertyValue('summary')),
    day: String(v.getFirstPropertyValue('dtstart')),
  }));
}

describe('the expiry calendar', () => {
  test('when the calendar is asked over HTTP, it is text/calendar in UTF-8, one event per dated asset of every tenant, parsed by a real iCalendar parser', async () => {
    const response = await getApnsCalendar(request(), recordingContext('getApnsCalendar'));
    expect(response.status).toBe(200);
    expect((response.headers as Record<string, string>)['content-type']).toBe('text/calendar; charset=utf-8');
    const feed = String(response.body);
    const list = events(feed);
    expect(list.map((e) => e.summary).sort()).toEqual([
      `Contoso; Ltd.: VPP token "${HOSTILE_TOKEN.replace('\r\n', '\n').replace('\u001b', '\\u001b').replace('\u0007', '\\u0007')}" expires`,
      'Contoso; Ltd.: Apple MDM push certificate expires',
      'Fabrikam: Apple MDM push certificate expires',
    ].sort());
    // No control character but the CRLF line ends.
    expect([...feed.replace(/\r\n/g, '')].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(feed.match(/^END:VCALENDAR\r$/gm)).toHaveLength(1);
  });

  test('when the CLI exports twice and HTTP once, all give the same UIDs for the same assets; --tenant and ?tenant= keep one tenant', async () => {
    const cli = async (...args: string[]) => {
      const io = bufferIo(env);
      expect(await main(['calendar', ...args], io)).toBe(0);
      return io.out.join('');
    };
    const first = await cli();
    const second = await cli();
    const http = String((await getApnsCalendar(request(), recordingContext('getApnsCalendar'))).body);
    const uids = (feed: string) => events(feed).map((e) => `${e.uid} ${e.day} ${e.summary}`).sort();
    expect(uids(second)).toEqual(uids(first));
    expect(uids(http)).toEqual(uids(first));
    expect(first.endsWith('END:VCALENDAR\r\n')).toBe(true);

    const fabrikam = h.tenantIds[1] as string;
    expect(events(await cli('--tenant', fabrikam)).map((e) => e.summary)).toEqual(['Fabrikam: Apple MDM push certificate expires']);
    expect(events(String((await getApnsCalendar(request(`?tenant=${fabrikam}`), recordingContext('getApnsCalendar'))).body)).map((e) => e.summary)).toEqual(['Fabrikam: Apple MDM push certificate expires']);
  });

  test('when a tenant asked for is not watched, HTTP answers 400 and the CLI exits 3, each saying so', async () => {
    const response = await getApnsCalendar(request('?tenant=not-watched'), recordingContext('getApnsCalendar'));
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toContain('tenant not-watched is not one of the watched tenants');
    const io = bufferIo(env);
    expect(await main(['calendar', '--tenant', 'not-watched'], io)).toBe(3);
    expect(io.err.join('\n')).toContain('is not one of the watched tenants');
  });

  test('when a tenant is registered, the next export has its events too (read per request, no restart)', async () => {
    const tailspin = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
    h.entra.addTenant(tailspin, { displayName: 'Tailspin', consent: 'consented', roles: FLEET_APP_ROLES });
    h.graph.addTenant(tailspin, { apns: apnsFixture({ expiresAt: Date.now() + 40 * DAY }) });
    expect(await main(['tenants', 'add', tailspin, '--name', 'Tailspin'], bufferIo(env))).toBe(0);
    expect(await main(['check', '--tenant', tailspin], bufferIo(env))).toBe(0);
    const summaries = events(String((await getApnsCalendar(request(), recordingContext('getApnsCalendar'))).body)).map((e) => e.summary);
    expect(summaries).toContain('Tailspin: Apple MDM push certificate expires');
  });
});
