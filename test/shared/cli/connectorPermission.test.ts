import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { apnsFixture, exchangeConnectorFixture, googlePlayFixture, mtdConnectorFixture, ndesConnectorFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
let h: FleetHarness;
let rx: ChannelReceivers;
let dir: string;

beforeAll(async () => {
  h = await startFleetHarness({
    tenants: [
      {
        displayName: 'Contoso',
        // Consented with the ServiceConfig permission only, as before the connectors existed.
        roles: ['DeviceManagementServiceConfig.ReadWrite.All'],
        graph: {
          apns: apnsFixture({ expiresAt: Date.now() + 5 * DAY + 3_600_000 }),
          ndesConnectors: [ndesConnectorFixture({ state: 'inactive' })],
          googlePlay: googlePlayFixture({ bindStatus: 'unbinding' }),
          mtdConnectors: [mtdConnectorFixture({ partnerState: 'unresponsive' })],
          exchangeConnectors: [exchangeConnectorFixture()],
        },
      },
    ],
  });
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-permission-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function check(stateFile: string, args: string[] = []) {
  rx.clear();
  const io = bufferIo({ ...h.env, APNS_PAGERDUTY_ROUTING_KEY: 'R0PERMR0PERMR0PERMR0PERMR0PERM00', APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty, APNS_TEAMS_WEBHOOK_URL: rx.urls.teams }, dir);
  const code = await main(['check', '--state-file', stateFile, ...args], io);
  return { code, out: io.out.join('\n') };
}

describe('a tenant whose app lacks DeviceManagementConfiguration.Read.All (SPEC §14)', () => {
  test('when it is checked, the APNs alert still goes out, the other connectors are still read, one warning names the permission, and the run is not "cannot read Intune"; a second run sends nothing new', async () => {
    const stateFile = join(dir, 'state.json');
    const tenantId = h.tenantIds[0] as string;
    const { code, out } = await check(stateFile);
    // The APNs certificate at 5 days decides the exit code: critical (2), never UNKNOWN (3).
    expect(code).toBe(2);
    expect(out.split('\n')[0]).toMatch(/^APNS CRITICAL - 1 tenant: 1 critical; worst: Contoso .*: The Apple MDM push certificate expires in 5 days/);
    expect(out).not.toContain('cannot read Intune');

    const pd = rx.of('pagerduty').map((r) => r.json as { dedup_key: string; payload: { severity: string; summary: string } });
    // The APNs alert, the Defender connector (read with the ServiceConfig permission), and one monitor warning.
    expect(pd.map((e) => [e.dedup_key.slice(tenantId.length + 1), e.payload.severity]).sort()).toEqual([
      ['apns:com.apple.mgmt.External.7f4c6b1e-2d3a-4c5b-9e8f-0a1b2c3d4e5f', 'error'],
      ['monitor:monitor', 'warning'],
      ['mtd:fc780465-2017-40d4-a0c5-307022471b92', 'error'],
    ]);
    const teams = rx.of('teams').map((r) => JSON.stringify(r.json));
    const permission = teams.filter((t) => t.includes('DeviceManagementConfiguration.Read.All'));
    expect(permission).toHaveLength(1);
    expect(permission[0]).toContain('certificate connectors, the Managed Google Play settings and Intune');
    // What the permission hides is not guessed at: no alert for the inactive certificate connector or the unbinding Google Play.
    expect(teams.some((t) => t.includes('PKI-CONN-01') || t.includes('unbound'))).toBe(false);

    const second = await check(stateFile);
    expect(second.code).toBe(2);
    expect(rx.of('pagerduty')).toEqual([]);
    expect(rx.of('teams')).toEqual([]);
  });

  test('when --json is asked, the reads that were refused are absent, the others are listed, and no read error is reported', async () => {
    const { out } = await check(join(dir, 'json.json'), ['--json', '--no-notify']);
    const json = JSON.parse(out) as { tenants: { status: string; errors: unknown[]; assets: { kind: string; severity: string; inUse: boolean; findings: { code: string }[] }[] }[] };
    const tenant = json.tenants[0];
    expect(tenant?.status).toBe('CRITICAL');
    expect(tenant?.errors).toEqual([]);
    const kinds = new Set(tenant?.assets.map((a) => a.kind));
    for (const kind of ['apns', 'mtd', 'exchange', 'partners', 'autopilot', 'monitor']) expect(kinds.has(kind)).toBe(true);
    for (const kind of ['certconnectors', 'googleplay', 'connectorstatus']) expect(kinds.has(kind)).toBe(false);
    expect(tenant?.assets.find((a) => a.kind === 'monitor')).toMatchObject({ severity: 'warning', findings: [{ code: 'permission_missing' }] });
  });
});
