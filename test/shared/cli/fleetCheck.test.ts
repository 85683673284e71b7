import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const inDays = (d: number) => apnsFixture({ expiresAt: Date.now() + d * DAY + 3_600_000, topic: `com.apple.mgmt.External.${d}0000000-0000-4000-8000-000000000000` });

let h: FleetHarness;
let rx: ChannelReceivers;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startFleetHarness({
    tenants: [
      { displayName: 'Contoso', graph: { apns: inDays(200) } },
      { displayName: 'Fabrikam', graph: { apns: inDays(25) } },
      { displayName: 'Northwind', graph: { apns: inDays(5) } },
      { displayName: 'Tailspin', consent: 'noServicePrincipal', graph: { apns: inDays(3) } },
    ],
  });
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.clear();
  h.graph.reset();
  h.entra.reset();
});

const tenant = (i: number) => () => h.tenantIds[i] as string;
const [contoso, fabrikam, northwind, tailspin] = [tenant(0), tenant(1), tenant(2), tenant(3)];
const env = (over: Record<string, string> = {}) => ({ ...h.env, APNS_TEAMS_WEBHOOK_URL: rx.urls.teams, APNS_PAGERDUTY_ROUTING_KEY: 'R0FLEETR0FLEETR0FLEETR0FLEET0000', APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty, ...over });

async function check(args: string[] = [], stateFile = join(dir, `state-${++n}.json`), over: Record<string, string> = {}) {
  const io = bufferIo(env(over), dir);
  const code = await main(['check', '--state-file', stateFile, ...args], io);
  return { code, io, stateFile };
}

describe('apns-monitor check on a fleet (Entra + Graph simulators, the real @azure/identity credentials)', () => {
  test('when three tenants are healthy, at 25 days and at 5 days, it exits 2 and every tenant was read with its own token', async () => {
    const { code, io } = await check(['--tenant', contoso(), '--tenant', fabrikam(), '--tenant', northwind()]);
    expect(code).toBe(2);
    const out = io.out.join('\n');
    expect(out.split('\n')[0]).toMatch(/^APNS CRITICAL - 3 tenants: 1 critical, 1 warning, 1 ok; worst: Northwind \(.+\): The Apple MDM push certificate expires in 5 days/);
    for (const [name, id] of [['Contoso', contoso()], ['Fabrikam', fabrikam()], ['Northwind', northwind()]]) expect(out).toContain(`${name} (${id})`);
    // One token per tenant from Entra, each read by Graph with that tenant's token: one $batch per API version.
    const tokens = h.entra.requests.filter((r) => r.endpoint === 'token' && r.status === 200);
    expect(tokens.map((r) => r.tenant).sort()).toEqual([contoso(), fabrikam(), northwind()].sort());
    for (const id of [contoso(), fabrikam(), northwind()]) {
      expect(h.graph.requests.filter((r) => r.tenantId === id).map((r) => r.path).sort()).toEqual(['/beta/$batch', '/v1.0/$batch']);
    }
    // Alerts name the right tenant and carry its id in the key.
    const pd = rx.of('pagerduty').map((r) => r.json as { dedup_key: string; payload?: { summary: string } });
    expect(pd.map((e) => e.dedup_key.split(':')[0]).sort()).toEqual([fabrikam(), northwind()].sort());
    expect(pd.find((e) => e.dedup_key.startsWith(northwind()))?.payload?.summary).toContain('Northwind');
    const teams = rx.of('teams').map((r) => JSON.stringify(r.json));
    expect(teams.some((t) => t.includes('Fabrikam') && t.includes('25 days'))).toBe(true);
  });

  test('when the same fleet is checked again on the same state, nothing new is sent', async () => {
    const stateFile = join(dir, 'again.json');
    const tenants = ['--tenant', contoso(), '--tenant', fabrikam(), '--tenant', northwind()];
    await check(tenants, stateFile);
    rx.clear();
    const second = await check(tenants, stateFile);
    expect(second.code).toBe(2);
    expect(rx.received).toHaveLength(0);
    expect(second.io.out.join('\n')).toContain('Notifications: nothing new to send.');
  });

  test('when one tenant has not consented, it exits 3, the others are still alerted, and its monitor alert names it and gives the consent link', async () => {
    const { code, io } = await check();
    expect(code).toBe(3);
    const out = io.out.join('\n');
    expect(out.split('\n')[0]).toMatch(/^APNS UNKNOWN - 4 tenants: 1 unreadable, 1 critical, 1 warning, 1 ok; worst: Tailspin/);
    expect(out).toContain('Admin consent is missing: tenant Tailspin');
    expect(out).toContain(`${h.entra.authorityHost}/${tailspin()}/adminconsent?client_id=${h.env.APNS_APP_CLIENT_ID}`);
    const pd = rx.of('pagerduty').map((r) => r.json as { dedup_key: string });
    expect(pd.map((e) => e.dedup_key).sort()).toEqual([`${fabrikam()}:apns:com.apple.mgmt.External.250000000-0000-4000-8000-000000000000`, `${northwind()}:apns:com.apple.mgmt.External.50000000-0000-4000-8000-000000000000`, `${tailspin()}:monitor:monitor`].sort());
    const monitorCard = rx.of('teams').map((r) => JSON.stringify(r.json)).find((t) => t.includes('Tailspin') && t.includes('consent'));
    expect(monitorCard).toContain('adminconsent');
    expect(io.text()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('when --json is asked, every tenant is listed with its name, id, status and assets', async () => {
    const { io } = await check(['--json', '--no-notify']);
    const json = JSON.parse(io.out.join('\n')) as { status: string; tenants: { tenantId: string; tenantName: string; status: string; assets: unknown[] }[] };
    expect(json.status).toBe('UNKNOWN');
    expect(json.tenants.map((t) => [t.tenantName, t.status])).toEqual([
      ['Tailspin', 'UNKNOWN'],
      ['Northwind', 'CRITICAL'],
      ['Fabrikam', 'WARNING'],
      ['Contoso', 'OK'],
    ]);
    expect(json.tenants.find((t) => t.tenantName === 'Contoso')?.tenantId).toBe(contoso());
  });

  test('when --tenant names a tenant that is not watched, it is a usage error with the first line UNKNOWN', async () => {
    const { code, io } = await check(['--tenant', 'not-a-watched-tenant']);
    expect(code).toBe(3);
    expect(io.out[0]).toMatch(/^APNS UNKNOWN - --tenant not-a-watched-tenant: not one of the watched tenants/);
  });
});
