import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shutdownAppInsights } from '../../../shared/adapters/notifiers/appinsights/appInsightsClient';
import { main } from '../../../shared/cli/main';
import { startChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { apnsFixture, ndesConnectorFixture } from '../../../shared/simulator/tenantFixtures';
import { telemetryRows } from '../../support/appInsightsCapture';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
let h: TenantHarness;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  dir = mkdtempSync(join(tmpdir(), 'apns-cli-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
  h.graph.tenant.ndesConnectors = [];
});

/** One CLI run against the simulated tenant, with its own state file unless given one. */
async function check(args: string[] = [], stateFile = join(dir, `state-${++n}.json`)) {
  const io = bufferIo({ ...h.env }, dir);
  const code = await main(['check', '--state-file', stateFile, ...args], io);
  return { code, io, stateFile };
}
const expireIn = (days: number) => {
  h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + days * DAY + 3_600_000 });
};

describe('apns-monitor check (CLI over the real SDK clients and the simulated tenant)', () => {
  test('when the tenant is healthy, it exits 0 and Graph saw one $batch per API version', async () => {
    const { code, io } = await check();
    expect(code).toBe(0);
    expect(io.out.join('\n')).toMatch(/^APNS OK - every certificate, token and connector in use is healthy/);
    expect(h.graph.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['POST /beta/$batch', 'POST /v1.0/$batch']);
  });

  test('when the certificate expires in 25 days, it exits 1 and prints a warning line and the table', async () => {
    expireIn(25);
    const { code, io } = await check();
    expect(code).toBe(1);
    const out = io.out.join('\n');
    expect(out).toMatch(/^APNS WARNING - The Apple MDM push certificate expires in 25 days/);
    expect(out).toMatch(/SEVERITY\s+ASSET\s+EXPIRES \(UTC\)\s+DAYS\s+APPLE ID\s+DETAIL/);
    expect(out).toMatch(/WARNING\s+Apple MDM push certificate\s+\S+ \S+\s+25\s+mdm-admin@contoso.com/);
    expect(io.err.join('\n')).toContain('WARNING: Apple MDM push certificate expires in 25 days'); // the log channel
  });

  test('when it expires in 5 days, it exits 2', async () => {
    expireIn(5);
    expect((await check()).code).toBe(2);
  });

  test('when it expired, it exits 2 and says how long it can still be renewed', async () => {
    expireIn(-3);
    const { code, io } = await check();
    expect(code).toBe(2);
    expect(io.out.join('\n')).toMatch(/^APNS CRITICAL - The Apple MDM push certificate expired 2 days ago .* can still be renewed until/);
  });

  test('when the tenant has no APNs certificate, it exits 1 "not configured"', async () => {
    h.graph.tenant.apns = null;
    const { code, io } = await check();
    expect(code).toBe(1);
    expect(io.out.join('\n')).toMatch(/No Apple MDM push certificate is configured in Intune/);
  });

  test('when Graph answers 403 to everything, it exits 3 with the permission hint and no stack trace', async () => {
    for (const resource of ['apns', 'vpp', 'ade'] as const) h.graph.addFault({ resource, status: 403 });
    const { code, io } = await check();
    expect(code).toBe(3);
    const all = io.text();
    expect(io.out.join('\n')).toMatch(/^APNS UNKNOWN - cannot read Intune: Microsoft Graph denied access/);
    expect(all).toContain('DeviceManagementServiceConfig.Read.All');
    expect(all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack frames
  });

  test('when Graph throttles twice before answering, it retries and exits with the code of the answer', async () => {
    expireIn(25);
    h.graph.addFault({ resource: 'apns', status: 429, retryAfter: '1', times: 2 });
    const { code } = await check();
    expect(code).toBe(1);
    expect(h.graph.requests.filter((r) => r.resources.includes('apns'))).toHaveLength(3);
  });

  test('when --now forecasts a later day, nothing is sent and no state is written, so the real run that follows still sends its notice', async () => {
    expireIn(45);
    const stateFile = join(dir, 'forecast.json');
    const forecast = await check(['--now', new Date(Date.now() + 50 * DAY).toISOString()], stateFile);
    expect(forecast.code).toBe(2); // as if expired: the forecast says so…
    expect(forecast.io.out.join('\n')).toMatch(/Forecast as if on .*: read-only — nothing was sent and the state was not updated\./);
    expect(forecast.io.err.join('\n')).not.toContain('EXPIRED'); // …but tells no channel
    expect(existsSync(stateFile)).toBe(false);
    const real = await check([], stateFile);
    expect(real.code).toBe(0);
    expect(real.io.err.join('\n')).toContain('NOTICE: Apple MDM push certificate expires in 45 days');
    expect(real.io.out.join('\n')).toContain('Notifications: log: 1 sent');
  });

  test('when --now forecasts, no telemetry at all reaches Application Insights (its heartbeat and days left would fire or silence the real rules)', async () => {
    const rx = await startChannelReceivers({ tls: loopbackTls() });
    try {
      const connection = (key: string) => `InstrumentationKey=11111111-2222-3333-4444-${key};IngestionEndpoint=${rx.urls.appinsights}`;
      expireIn(200);
      const forecast = await main(['check', '--now', new Date(Date.now() + 300 * DAY).toISOString(), '--state-file', join(dir, `state-${++n}.json`)], bufferIo({ ...h.env, APPLICATIONINSIGHTS_CONNECTION_STRING: connection('000000000001') }, dir));
      expect(forecast).toBe(2); // it did evaluate: expired on that day
      // The same check today, through the same receiver: telemetry does arrive there.
      const today = await main(['check', '--state-file', join(dir, `state-${++n}.json`)], bufferIo({ ...h.env, APPLICATIONINSIGHTS_CONNECTION_STRING: connection('000000000002') }, dir));
      expect(today).toBe(0);
      await shutdownAppInsights();
      const keys = rx.of('appinsights').flatMap((r) => (Array.isArray(r.json) ? (r.json as { iKey: string }[]) : [])).map((e) => e.iKey);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.endsWith('000000000002'))).toBe(true);
      expect(telemetryRows(rx).map((r) => r.name)).toEqual(expect.arrayContaining(['ApnsCheckCompleted', 'ApnsDaysRemaining']));
    } finally {
      await rx.close();
    }
  });

  test('when the state file is corrupt, the alert still goes out with a monitor alert about the state, the file is left untouched, and it exits 3', async () => {
    expireIn(25);
    const stateFile = join(dir, 'corrupt.json');
    writeFileSync(stateFile, '{"format":"intune-apns-monitor/state","version":3,"tenants":{');
    const { code, io } = await check([], stateFile);
    expect(code).toBe(3);
    expect(io.out[0]).toMatch(/^APNS UNKNOWN - alerts sent, but the monitor state is not usable: The state file .* is unreadable/);
    const err = io.err.join('\n');
    expect(err).toContain('WARNING: Apple MDM push certificate expires in 25 days');
    expect(err).toMatch(/CRITICAL: .*state/);
    expect(readFileSync(stateFile, 'utf8')).toBe('{"format":"intune-apns-monitor/state","version":3,"tenants":{');
  });

  test('when the identical run is repeated on the same state, nothing new is sent', async () => {
    expireIn(25);
    const first = await check();
    expect(first.io.out.join('\n')).toContain('Notifications: log: 1 sent');
    const second = await check([], first.stateFile);
    expect(second.code).toBe(1);
    expect(second.io.out.join('\n')).toContain('Notifications: nothing new to send.');
    expect(second.io.err.join('\n')).not.toContain('WARNING: Apple MDM push certificate');
  });

  test('when --no-notify is given, nothing is sent and no state file is written', async () => {
    expireIn(25);
    const stateFile = join(dir, 'never.json');
    const { code, io } = await check(['--no-notify'], stateFile);
    expect(code).toBe(1);
    expect(io.out.join('\n')).toContain('Notifications: off (--no-notify)');
    expect(() => jest.requireActual<typeof import('node:fs')>('node:fs').statSync(stateFile)).toThrow();
  });

  test('when the tenant uses no connector, the table names them on one line, and --json lists them "not in use" (inUse false, ok)', async () => {
    const { io } = await check(['--no-notify']);
    expect(io.out.join('\n')).toMatch(/^Not in use \(never alerted\): Certificate connectors \(SCEP\/PKCS\), Mobile Threat Defense \(Defender for Endpoint and partners\), Managed Google Play, Device management partners \(Jamf Pro and others\), Windows Autopilot sync, Exchange connectors \(on-premises ActiveSync\)\.$/m);
    const json = await check(['--json', '--no-notify']);
    const assets = (JSON.parse(json.io.out.join('\n')) as { assets: { kind: string; inUse: boolean; severity: string }[] }).assets;
    expect(assets.find((a) => a.kind === 'certconnectors')).toMatchObject({ inUse: false, severity: 'ok' });
  });

  test('when a certificate connector is inactive, it is a critical row of the table and an asset of --json with its last connection', async () => {
    h.graph.tenant.ndesConnectors = [ndesConnectorFixture({ id: 'ndes-1', state: 'inactive', lastConnectionAt: '2026-11-20T06:00:00Z' })];
    const { code, io } = await check(['--no-notify']);
    expect(code).toBe(2);
    expect(io.out.join('\n')).toMatch(/^APNS CRITICAL - The certificate connector "PKI-CONN-01" is inactive/);
    expect(io.out.join('\n')).toMatch(/^CRITICAL\s+Certificate connector "PKI-CONN-01"\s+-\s+-\s+-\s+The certificate connector "PKI-CONN-01" is inactive/m);
    const json = await check(['--json', '--no-notify']);
    const assets = (JSON.parse(json.io.out.join('\n')) as { assets: { key: string; severity: string; lastSyncAt: string | null; inUse: boolean }[] }).assets;
    expect(assets.find((a) => a.key === `${h.identity.tenantId}:certconnectors:ndes-1`)).toMatchObject({ severity: 'critical', lastSyncAt: '2026-11-20T06:00:00.000Z', inUse: true });
  });

  test('when --json is given, the report is JSON with the status and exit code', async () => {
    expireIn(25);
    const { io } = await check(['--json']);
    const report = JSON.parse(io.out.join('\n'));
    expect(report).toMatchObject({ status: 'WARNING', exitCode: 1, worst: 'warning' });
    expect(report.assets[0]).toMatchObject({ kind: 'apns', severity: 'warning', daysRemaining: 25 });
  });

  test('when --now is in the future, the forecast uses it', async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: '2027-03-01T00:00:00Z' });
    const { code, io } = await check(['--now', '2027-02-25', '--no-notify']);
    expect(code).toBe(2);
    expect(io.out.join('\n')).toMatch(/expires in 4 days/);
  });

  test('when --now is not a date, it exits 3 saying what is expected', async () => {
    const { code, io } = await check(['--now', 'tomorrow']);
    expect(code).toBe(3); // the check did not run: Nagios UNKNOWN
    expect(io.err.join('\n')).toMatch(/--now: must be an ISO 8601 date-time/);
  });

  test('when a setting is invalid, it exits 3 naming the field', async () => {
    const io = bufferIo({ ...h.env, APNS_WARNING_DAYS: 'abc' }, dir);
    expect(await main(['check', '--state-file', join(dir, 'x.json')], io)).toBe(3);
    expect(io.err.join('\n')).toContain('APNS_WARNING_DAYS: must be a whole number of days, got "abc"');
  });

  test('when local.settings.json holds the settings, the CLI reads its Values (the environment wins)', async () => {
    expireIn(25);
    const settingsDir = mkdtempSync(join(tmpdir(), 'apns-settings-'));
    try {
      writeFileSync(join(settingsDir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { ...h.env, APNS_WARNING_DAYS: '20', APNS_CRITICAL_DAYS: '5' } }));
      const io = bufferIo({}, settingsDir);
      expect(await main(['check', '--no-notify'], io)).toBe(0); // 25 days is only a notice with warning at 20
      const io2 = bufferIo({ APNS_WARNING_DAYS: '30', APNS_CRITICAL_DAYS: '7' }, settingsDir);
      expect(await main(['check', '--no-notify'], io2)).toBe(1);
    } finally {
      rmSync(settingsDir, { recursive: true, force: true });
    }
  });

  test('when an unknown flag is given, it exits 3 with the usage', async () => {
    const { code, io } = await check(['--bogus']);
    expect(code).toBe(3);
    expect(io.err.join('\n')).toMatch(/Unknown option '--bogus'[\s\S]*Usage: apns-monitor/);
  });

  test('when run as the installed command (bin, a child process), it behaves the same', async () => {
    expireIn(5);
    const bin = join(__dirname, '..', '..', '..', 'bin', 'apns-monitor.js');
    const child = spawn(process.execPath, [bin, 'check', '--json', '--no-notify'], { env: { ...process.env, ...h.env }, cwd: dir });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'CRITICAL', exitCode: 2 });
  });
});
