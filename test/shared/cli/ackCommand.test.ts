import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { main } from '../../../shared/cli/main';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../../support/azurite';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// `apns-monitor ack` / `unack` (SPEC §15) with the state file and with Table Storage: exit codes,
// what it prints, `check --json`, the webhook event's data and the audit trail.
const DAY = 86_400_000;
const SECRET = 'whsec_QWNrV2ViaG9va1NpZ25pbmdTZWNyZXQwMTIz';
const date = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);
let h: TenantHarness;
let rx: ChannelReceivers;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-ack-cli-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.clear();
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 25 * DAY + 3_600_000 });
});

type Store = { args: string[]; env: Record<string, string>; auditFile?: string };
function store(kind: 'file' | 'table'): Store {
  if (kind === 'table') return { args: [], env: { APNS_STATE_CONNECTION: process.env.APNS_TEST_TABLE_CONNECTION as string, APNS_STATE_TABLE: uniqueTableName('ackcli') } };
  const file = join(dir, `state-${++n}.json`);
  return { args: ['--state-file', file], env: {}, auditFile: `${file}.audit.jsonl` };
}

async function cli(s: Store, ...args: string[]) {
  const io = bufferIo({ ...h.env, APNS_TENANT_NAME: 'Contoso', APNS_WEBHOOK_URL: rx.urls.webhook, APNS_WEBHOOK_SECRET: SECRET, ...s.env }, dir);
  const code = await main([...args, ...s.args], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

type AssetJson = { key: string; kind: string; acknowledgement: { by: string; reason: string; until: string; severity: string } | null };
const apnsOf = (json: string) => (JSON.parse(json) as { assets: AssetJson[] }).assets.find((a) => a.kind === 'apns') as AssetJson;

describe.each(['file', 'table'] as const)('apns-monitor ack / unack with the %s store', (kind) => {
  test('when a warning is acknowledged, check --json shows who, why and until when; a critical later breaks through and the webhook event says the acknowledgement ended', async () => {
    const s = store(kind);
    const first = await cli(s, 'check', '--json');
    expect(first.code).toBe(1);
    const key = apnsOf(first.out).key;

    const ack = await cli(s, 'ack', key, '--until', date(10), '--reason', 'Renewal booked for Thursday with the Apple ID owner');
    expect([ack.code, ack.err]).toEqual([0, '']);
    expect(ack.out).toMatch(/^Acknowledged: Apple MDM push certificate \(.+\) at warning by .+ \(CLI\) until \d{4}-\d{2}-\d{2}T00:00:00\.000Z: Renewal booked for Thursday/);

    rx.clear();
    const acked = await cli(s, 'check', '--json');
    expect(acked.code).toBe(1); // still a warning: an acknowledgement pauses reminders, it does not hide the state
    expect(apnsOf(acked.out).acknowledgement).toMatchObject({ reason: 'Renewal booked for Thursday with the Apple ID owner', severity: 'warning', until: `${date(10)}T00:00:00.000Z` });
    expect(rx.of('webhook')).toEqual([]);

    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 5 * DAY + 3_600_000 });
    const critical = await cli(s, 'check', '--json');
    expect(critical.code).toBe(2);
    expect(apnsOf(critical.out).acknowledgement).toBeNull();
    const hooks = rx.of('webhook').map((r) => new Webhook(SECRET).verify(r.raw, r.headers) as { type: string; data: { severity: string; acknowledgement: { status: string; reason: string; by: string } | null } });
    expect(hooks.map((e) => [e.type, e.data.severity, e.data.acknowledgement?.status, e.data.acknowledgement?.reason])).toEqual([['apns.alert', 'critical', 'escalated', 'Renewal booked for Thursday with the Apple ID owner']]);
    if (s.auditFile) {
      const trail = readFileSync(s.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; outcome: string; reason: string });
      expect(trail).toEqual([expect.objectContaining({ kind: 'acknowledgement', outcome: 'acknowledged', reason: 'Renewal booked for Thursday with the Apple ID owner' })]);
    }
  });

  test('when the acknowledgement is longer than 30 days, past the expiry, of an expired certificate or of the monitor, it exits 1 saying why; unack of nothing exits 1', async () => {
    const s = store(kind);
    const key = apnsOf((await cli(s, 'check', '--json')).out).key;
    const inside = await cli(s, 'ack', key, '--until', date(24), '--reason', 'x');
    expect([inside.code, inside.err]).toEqual([0, '']); // inside both limits
    await cli(s, 'unack', key);
    for (const [until, why] of [[date(31), /lasts at most 30 days/], [date(27), /cannot outlast it/]] as const) {
      const r = await cli(s, 'ack', key, '--until', until, '--reason', 'booked');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(why);
    }
    const monitor = await cli(s, 'ack', `${h.identity.tenantId}:monitor:monitor`, '--until', date(2), '--reason', 'x');
    expect([monitor.code, monitor.err]).toEqual([1, expect.stringMatching(/monitor failures never go quiet/)]);
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() - 2 * DAY });
    await cli(s, 'check');
    const expired = await cli(s, 'ack', key, '--until', date(2), '--reason', 'booked');
    expect([expired.code, expired.err]).toEqual([1, expect.stringMatching(/^apns-monitor ack: Not acknowledged: .*has expired, and an expired asset never goes quiet/)]);
    const none = await cli(s, 'unack', key);
    expect([none.code, none.err]).toEqual([1, expect.stringMatching(/is not acknowledged/)]);
  });
});

test('when ack misses its reason or its date is not a date, it is a usage error (exit 3) and nothing is read', async () => {
  const s = store('file');
  expect((await cli(s, 'ack', 'k:apns:x', '--until', date(2))).code).toBe(3);
  const bad = await cli(s, 'ack', 'k:apns:x', '--until', 'thursday', '--reason', 'booked');
  expect([bad.code, bad.err]).toEqual([3, expect.stringMatching(/--until: must be an ISO 8601 date-time/)]);
});
