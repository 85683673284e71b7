import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// SPEC §15 "a shared cause is seen once": with Entra unreachable, every tenant used to retry ~31 s
// with "Graph asked to wait 1…16 s", end "Graph was unavailable" and page once per tenant.
// Counts, not times: how many tenants were tried, how many requests Entra saw, messages per channel.

const TENANTS = 30;
const CONCURRENCY = 8; // APNS_FLEET_CONCURRENCY here: fewer than the tenants, so some are never tried
let h: FleetHarness;
let rx: ChannelReceivers;
let dir: string;

beforeAll(async () => {
  h = await startFleetHarness({ tenants: TENANTS });
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-shared-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const stateFile = () => join(dir, 'state.json');
const env = () => ({ ...h.env, APNS_FLEET_CONCURRENCY: String(CONCURRENCY), APNS_TEAMS_WEBHOOK_URL: rx.urls.teams, APNS_PAGERDUTY_ROUTING_KEY: 'R0SHAREDR0SHAREDR0SHAREDR0SHA000', APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty });
const pagerDuty = () => rx.of('pagerduty').map((r) => r.json as { event_action: string; dedup_key: string; payload?: { summary: string } });

async function check() {
  const io = bufferIo(env(), dir);
  const code = await main(['check', '--state-file', stateFile()], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

describe('a fleet fails fast on a shared cause (SPEC §15)', () => {
  test('when Entra is unreachable, 30 tenants end with exit 3 and the status line first after a few tenants were tried, with one fleet alert per channel naming the sign-in', async () => {
    h.entra.setOutage('close');
    const { code, out, err } = await check();
    expect(code).toBe(3);
    const [first] = out.split('\n');
    expect(first).toMatch(/^APNS UNKNOWN - 30 tenants: \d+ unreadable, \d+ not tried; every tenant: Microsoft Entra sign-in failed: Microsoft Entra's sign-in endpoint \(https:\/\/localhost:\d+\) could not be reached/);

    // Only the first tenants were tried: the pool's first wave and the two that started before the
    // third failure said "shared"; the others never reached Entra.
    const tried = new Set(h.entra.requests.map((r) => r.tenant));
    expect(tried.size).toBeGreaterThanOrEqual(3);
    expect(tried.size).toBeLessThanOrEqual(CONCURRENCY + 2);
    expect(first).toContain(`${TENANTS - tried.size} not tried`);
    // Each tried tenant's sign-in made its few requests (MSAL's metadata read and its two retries).
    expect(h.entra.requests.length).toBeLessThanOrEqual(tried.size * 3);
    expect(h.graph.requests).toEqual([]);

    // One alert per channel, for the fleet, naming the sign-in; none per tenant.
    expect(pagerDuty().map((e) => [e.event_action, e.dedup_key])).toEqual([['trigger', `${h.homeTenantId}:monitor:fleet`]]);
    expect(pagerDuty()[0]?.payload?.summary).toMatch(/^CRITICAL: Expiry monitor cannot check the fleet: Microsoft Entra sign-in failed \(Fleet of 30 tenants\)/);
    expect(rx.of('teams')).toHaveLength(1);
    expect(out).toMatch(/Notifications: pagerduty: 1 sent/);

    // A sign-in failure is never reported as Graph throttling or unavailability.
    expect(`${out}\n${err}`).not.toMatch(/Graph asked to wait|Graph was unavailable|graph_throttled|graph_unavailable/);
    expect(err.split('\n').filter((l) => /^(warning|error):/.test(l)).length).toBeLessThanOrEqual(tried.size);
  });

  test('when Entra is still unreachable on the next run, the fleet alert is not sent again', async () => {
    rx.clear();
    h.entra.reset();
    h.entra.setOutage('close');
    const { code } = await check();
    expect(code).toBe(3);
    expect(rx.of('pagerduty')).toEqual([]);
    expect(rx.of('teams')).toEqual([]);
  });

  test('when Entra is back, every tenant is checked and the fleet alert is resolved once', async () => {
    rx.clear();
    h.entra.reset();
    const { code, out } = await check();
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^APNS OK - 30 tenants: 30 ok/);
    expect(new Set(h.entra.requests.filter((r) => r.endpoint === 'token' && r.status === 200).map((r) => r.tenant)).size).toBe(TENANTS);
    expect(pagerDuty().map((e) => [e.event_action, e.dedup_key])).toEqual([['resolve', `${h.homeTenantId}:monitor:fleet`]]);
  });
});
