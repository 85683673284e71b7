import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { main } from '../../../shared/cli/main';
import { loadFleetStatus } from '../../../shared/composition/createServices';
import { loadConfig } from '../../../shared/config/loadConfig';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { apnsFixture, vppFixture } from '../../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../../support/azurite';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// The CLI's state file against the guarantees of Table Storage (SPEC §3, issue 20): overlapping runs in
// separate processes, and the same decisions for a fleet of 200.
const DAY = 86_400_000;
const TENANTS = 200;
const bin = join(__dirname, '..', '..', '..', 'bin', 'apns-monitor.js');
const noCredential: TokenCredential = { getToken: async (): Promise<AccessToken | null> => null };

// Every band: healthy, notice, warning, critical, expired; some with a VPP token about to expire too.
const daysOf = (i: number) => [200, 45, 20, 5, -3][i % 5] as number;

let h: FleetHarness;
let rx: ChannelReceivers;
let dir: string;

beforeAll(async () => {
  h = await startFleetHarness({
    tenants: Array.from({ length: TENANTS }, (_, i) => ({
      displayName: `Customer ${i + 1}`,
      graph: {
        apns: apnsFixture({ expiresAt: Date.now() + daysOf(i) * DAY + 3_600_000, topic: `com.apple.mgmt.External.${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` }),
        vppTokens: i % 3 === 0 ? [vppFixture({ id: `vpp-${i}`, expiresAt: Date.now() + 12 * DAY })] : [],
      },
    })),
  });
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-file-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.clear();
  h.graph.latencyMs = 0;
});

const settings = (over: Record<string, string> = {}) => ({
  ...h.env,
  APNS_PAGERDUTY_ROUTING_KEY: 'R0FILER0FILER0FILER0FILER0FILE00',
  APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
  APNS_FLEET_CONCURRENCY: '16',
  ...over,
});

/** PagerDuty triggers by dedup key (the alert key, SPEC §4): how often each alert was sent. */
function triggersByKey(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rx.of('pagerduty')) {
    const body = r.json as { event_action: string; dedup_key: string };
    if (body.event_action === 'trigger') out.set(body.dedup_key, (out.get(body.dedup_key) ?? 0) + 1);
  }
  return out;
}

function runProcess(args: string[], env: Record<string, string>): Promise<{ code: number | null; startedAt: number; endedAt: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, startedAt, endedAt: Date.now(), stdout }));
  });
}

/** What a report decided per tenant and asset, without instants and ids that differ between runs. */
function decisions(stdout: string) {
  const report = JSON.parse(stdout) as { exitCode: number; tenants: { tenantId: string; status: string; worst: string; assets: { key: string; severity: string; daysRemaining: number | null; expiresAt: string | null; findings: unknown[] }[]; channels: { channel: string; sent: number; failed: number }[] }[] };
  return {
    exitCode: report.exitCode,
    tenants: report.tenants
      .map((t) => ({
        tenantId: t.tenantId,
        status: t.status,
        worst: t.worst,
        assets: t.assets.map((a) => ({ key: a.key, severity: a.severity, daysRemaining: a.daysRemaining, expiresAt: a.expiresAt, findings: a.findings })),
        sent: Object.fromEntries(t.channels.map((c) => [c.channel, c.sent])),
      }))
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
  };
}

describe('the CLI state file, as Table Storage is', () => {
  test('when two runs in separate processes overlap on the same state file, every alert is sent once and none of their updates is lost', async () => {
    const stateFile = join(dir, 'overlap.json');
    const tenants = h.tenantIds.slice(0, 60);
    const args = ['check', '--json', '--state-file', stateFile, ...tenants.flatMap((id) => ['--tenant', id])];
    // 60 tenants, 8 at a time, 150 ms per Graph request: each run takes over a second, so they overlap.
    h.graph.latencyMs = 150;
    const env = settings({ APNS_FLEET_CONCURRENCY: '8' });
    const [a, b] = await Promise.all([runProcess(args, env), runProcess(args, env)]);
    expect(Math.max(a.startedAt, b.startedAt)).toBeLessThan(Math.min(a.endedAt, b.endedAt));
    for (const run of [a, b]) expect((JSON.parse(run.stdout) as { tenants: unknown[] }).tenants).toHaveLength(60);
    // Both read every tenant; the alerts (warning and worse go to PagerDuty) went out once each.
    expect(h.graph.requests.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(120);
    const sent = triggersByKey();
    const alerting = tenants.filter((_, i) => daysOf(i) <= 30);
    expect([...sent.keys()].filter((k) => k.includes(':apns:')).map((k) => k.split(':')[0]).sort()).toEqual([...alerting].sort());
    expect([...sent.values()].every((n) => n === 1)).toBe(true);

    // No lost update: every delivery either run recorded is in the file, so a third run sends nothing.
    rx.clear();
    h.graph.latencyMs = 0;
    const third = bufferIo(settings(), dir);
    await main(args.slice(0, 1).concat(args.slice(2)), third);
    expect(rx.of('pagerduty')).toEqual([]);
    const view = await loadFleetStatus(loadConfig(settings()), noCredential, stateFile);
    for (const t of view.tenants.filter((x) => tenants.includes(x.tenantId))) {
      const marked = Object.values(t.openAlerts).filter((byChannel) => byChannel.pagerduty !== undefined);
      expect(marked).toHaveLength(Object.keys(Object.fromEntries([...sent].filter(([k]) => k.startsWith(`${t.tenantId}:`)))).length);
    }
  }, 120_000);

  test('when a fleet of 200 tenants is checked twice, the state file and Table Storage give the same assessments, sends and stored status', async () => {
    const stateFile = join(dir, 'fleet.json');
    const table = { APNS_STATE_CONNECTION: process.env.APNS_TEST_TABLE_CONNECTION as string, APNS_STATE_TABLE: uniqueTableName('fleet200') };
    const run = async (over: Record<string, string>, extra: string[]) => {
      const io = bufferIo(settings(over), dir);
      const code = await main(['check', '--json', ...extra], io);
      const sent = rx.of('pagerduty').length;
      rx.clear();
      return { code, decided: decisions(io.out.join('\n')), sent };
    };
    for (let round = 1; round <= 2; round++) {
      const fromFile = await run({}, ['--state-file', stateFile]);
      const fromTable = await run(table, []);
      expect(fromFile.decided.tenants).toHaveLength(TENANTS);
      expect(fromFile).toEqual(fromTable);
      // The first round alerts (warning and worse: 3 bands of 5 APNs, and the VPP tokens); the second sends nothing new.
      expect(fromFile.sent).toBe(round === 1 ? (TENANTS * 3) / 5 + Math.ceil(TENANTS / 3) : 0);
    }
    const config = loadConfig(settings(table));
    const [fileView, tableView] = await Promise.all([loadFleetStatus(config, noCredential, stateFile), loadFleetStatus(config, noCredential)]);
    const comparable = (v: typeof fileView) => v.tenants.map((t) => ({ ...t, lastRun: { ...t.lastRun, at: null }, consent: { ...t.consent, checkedAt: null }, lastSuccessfulCheckAt: null, assets: t.assets.map((a) => ({ ...a, assessedAt: null })) }));
    expect(comparable(fileView)).toEqual(comparable(tableView));
  }, 180_000); // four runs of 200 tenants: a hang guard for a loaded 2-core machine, not a performance limit
});
