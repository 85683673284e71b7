import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { HttpRequest } from '@azure/functions';
import { renewFromApnsDashboard } from '../../../functions/getApnsDashboard';
import { localGuard } from '../../../shared/adapters/functions/requestGuard';
import { startServing } from '../../../shared/cli/commands/serveCommand';
import { localRoutes, type LocalServer } from '../../../shared/cli/localServer';
import { main } from '../../../shared/cli/main';
import { loadConfig } from '../../../shared/config/loadConfig';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { recordingContext, withAppSettings } from '../../support/functionEnv';
import { triggerOf } from '../../support/functionsCoreApi';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = '2B7C4D1E-9F3A-4B5C-8D6E-0F1A2B3C4D5E';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const root = join(__dirname, '..', '..', '..');

let h: TenantHarness;
let kv: KeyVaultSimulator;
let dir: string;
let stateFile: string;
let env: Record<string, string>;
let server: LocalServer;
const logged: string[] = [];

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness({ tenant: { apns: apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0A', expiresAt: Date.now() + 25 * DAY + 3_600_000 }) } });
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
  dir = mkdtempSync(join(tmpdir(), 'apns-serve-'));
  stateFile = join(dir, 'state.json');
  env = { ...h.env, APNS_TENANT_NAME: 'Contoso Serve', APNS_KEY_VAULT_URL: kv.vaultUrl };
  // The state a real `check` wrote: what `serve` shows.
  const checked = await main(['check', '--state-file', stateFile], bufferIo(env, dir));
  expect(checked).toBe(1);
  server = await startServing(loadConfig(env), { env, port: 0, stateFile, log: (level, text) => logged.push(`${level} ${text}`) });
});
afterAll(async () => {
  await Promise.all([server?.close(), h?.close(), kv?.close()]);
  rmSync(dir, { recursive: true, force: true });
});
const intuneNow = () => apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0A', expiresAt: Date.now() + 25 * DAY + 3_600_000 });
beforeEach(() => {
  h.graph.reset();
  // A test that uploads changes Intune's certificate: each test starts from the one the check saw.
  h.graph.tenant.apns = intuneNow();
  logged.length = 0;
});

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.origin, ...headers }, body: JSON.stringify(body) });

/** A POST exactly as curl sends it: only the headers given (no Origin, no Sec-Fetch-*). */
const rawPost = (path: string, headers: Record<string, string>, body: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });

/** Resolves true when a TCP connect to the port is refused. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

describe('apns-monitor serve (the HTTP functions on 127.0.0.1, from the state a real check wrote)', () => {
  test('when the dashboard is asked for, it answers 200 HTML with a CSP, the tenant and its severities, greeting the person at this computer', async () => {
    const response = await fetch(server.dashboardUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'nonce-[^']+'/);
    const page = await response.text();
    expect(page).toContain('<h1>Contoso Serve</h1>');
    expect(page).toContain(h.identity.tenantId);
    expect(page).toMatch(/<span class="sev sev-warning">Warning<\/span>/);
    expect(page).toMatch(/Signed in as <strong>[^<]+ \(local\)<\/strong>/);
    expect(page).toContain('action="/api/apns/dashboard/renew"');
    expect(h.graph.requests).toEqual([]); // rendered from stored state only
  });

  test('when the client accepts brotli or gzip, the page and the status API come compressed (vary: accept-encoding) and decode to what is sent plain', async () => {
    const raw = (path: string, acceptEncoding?: string) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.once('error', reject);
        req.end();
      });
    // What differs between two responses: the nonce, and when the state was read.
    const withoutNonce = (html: string) => html.replace(/nonce(=|-)"?[A-Za-z0-9+/=]+/g, 'nonce').replace(/read at <time[^>]*>[^<]*<\/time>/, 'read at');
    const plainPage = await raw('/api/apns/dashboard');
    expect(plainPage.headers['content-encoding']).toBeUndefined();
    expect(plainPage.headers.vary).toBe('accept-encoding');
    for (const [accept, coding, decode] of [['gzip, deflate, br, zstd', 'br', brotliDecompressSync], ['gzip;q=1, br;q=0', 'gzip', gunzipSync]] as const) {
      const page = await raw('/api/apns/dashboard', accept);
      expect([page.headers['content-encoding'], page.headers.vary]).toEqual([coding, 'accept-encoding']);
      expect(page.body.length).toBeLessThan(plainPage.body.length / 3);
      expect(withoutNonce(decode(page.body).toString('utf8'))).toBe(withoutNonce(plainPage.body.toString('utf8')));
    }
    const plainStatus = await raw('/api/apns/status');
    const status = await raw('/api/apns/status', 'br');
    expect([status.headers['content-encoding'], status.headers['content-type'], status.headers.vary]).toEqual(['br', 'application/json', 'accept-encoding']);
    expect(JSON.parse(brotliDecompressSync(status.body).toString('utf8'))).toEqual(JSON.parse(plainStatus.body.toString('utf8')));
  });

  test('when the status API is asked for, it answers the stored assessment as JSON', async () => {
    const response = await fetch(`${server.origin}/api/apns/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { tenantId: string; tenantName: string; assets: { kind: string; severity: string }[] };
    expect(body).toMatchObject({ tenantId: h.identity.tenantId, tenantName: 'Contoso Serve' });
    expect(body.assets.find((a) => a.kind === 'apns')?.severity).toBe('warning');
  });

  test('when the page’s dry run is posted, every check runs against Intune and Key Vault, nothing is uploaded, and the audit names the local person', async () => {
    const response = await postJson('/api/apns/dashboard/renew', { dryRun: true, tenantId: h.identity.tenantId });
    const body = (await response.json()) as { outcome: string; checks: { ok: boolean }[] };
    expect(response.status).toBe(200);
    expect(body.outcome).toBe('valid');
    expect(body.checks.every((c) => c.ok)).toBe(true);
    expect(h.graph.uploads).toEqual([]);
    const audit = readFileSync(`${stateFile}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; actor: string; via: string });
    expect(audit.at(-1)).toMatchObject({ outcome: 'valid', via: 'http', actor: expect.stringMatching(/ \(local\)$/) });
  });

  test('when the same dry run reaches the deployed handler without App Service Authentication, it is refused with 401', async () => {
    const restore = withAppSettings({ ...env, WEBSITE_AUTH_ENABLED: undefined });
    try {
      const request = new HttpRequest({ method: 'POST', url: 'https://apns.example/api/apns/dashboard/renew', body: { string: '{"dryRun":true}' }, headers: { 'content-type': 'application/json' } });
      const response = await renewFromApnsDashboard(request, recordingContext('renewFromApnsDashboard'));
      expect(response.status).toBe(401);
    } finally {
      restore();
    }
    expect(h.graph.requests).toEqual([]);
  });

  test('when another site makes the browser post the dry run, it answers 403 and reads nothing', async () => {
    const response = await postJson('/api/apns/dashboard/renew', { dryRun: true }, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(h.graph.requests).toEqual([]);
    expect(logged).toEqual([expect.stringMatching(/^warning forbidden: Refused: .*the origin https:\/\/evil\.example/)]);
  });

  test.each([
    ['as a form or no-cors fetch sends it (text/plain)', { 'content-type': 'text/plain' }, '{}'],
    ['with a new topic allowed (text/plain)', { 'content-type': 'text/plain' }, '{"allowNewTopic":true}'],
    ['from another origin, as JSON', { 'content-type': 'application/json', origin: 'https://evil.example' }, '{}'],
    ['from another site (Sec-Fetch-Site), as JSON', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, '{}'],
  ])('when POST /api/apns/renew is sent %s, it is refused with 403 and nothing is read or uploaded', async (_how, headers, body) => {
    const response = await rawPost('/api/apns/renew', headers, body);
    expect(response.status).toBe(403);
    expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(h.graph.requests).toEqual([]);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when POST /api/apns/renew is sent as JSON without the server’s key, it answers 401 naming the header, and nothing is read or uploaded', async () => {
    const response = await rawPost('/api/apns/renew', { 'content-type': 'application/json' }, '{}');
    expect(response.status).toBe(401);
    const error = (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('sign_in_required');
    expect(error.message).toContain('x-functions-key');
    const wrong = await rawPost('/api/apns/renew', { 'content-type': 'application/json', 'x-functions-key': `${server.key}x` }, '{}');
    expect(wrong.status).toBe(401);
    expect(h.graph.requests).toEqual([]);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when POST /api/apns/renew carries the key the server printed, the guarded upload runs and the audit names the local person', async () => {
    const response = await rawPost('/api/apns/renew', { 'content-type': 'application/json', 'x-functions-key': server.key }, '{}');
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as { outcome: string }).outcome).toBe('renewed');
    expect(h.graph.uploads).toHaveLength(1);
    const audit = readFileSync(`${stateFile}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; actor: string });
    expect(audit.at(-1)).toMatchObject({ outcome: 'renewed', actor: expect.stringMatching(/ \(local\)$/) });
  });

  test('when a request names another host (DNS rebinding), it answers 421 without calling a function', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/api/apns/status', headers: { host: `rebound.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  test('when the routes are compared with what the Functions host registers, they are the same functions, methods and routes', async () => {
    await import('../../../functions/index');
    const routes = await localRoutes(() => {
      throw new Error('not called');
    }, localGuard({ name: 'x', canRenew: true }, 'k'));
    for (const r of routes.filter((x) => x.path === undefined)) expect(triggerOf(r.name)).toMatchObject({ type: 'httpTrigger', route: r.route, methods: r.methods });
    // The host's own Event Grid webhook, for the Event Grid triggers.
    for (const r of routes.filter((x) => x.path !== undefined)) expect([r.path, triggerOf(r.name).type]).toEqual(['/runtime/webhooks/eventgrid', 'eventGridTrigger']);
    expect(routes.map((r) => r.name).sort()).toEqual([
      'acknowledgeApnsAlert',
      'approveRenewalProposal',
      'getApnsCalendar',
      'getApnsCsr',
      'getApnsDashboard',
      'getApnsDashboardCsr',
      'getApnsStatus',
      'keyVaultSecretVersionCreated',
      'proposeRenewalFromDashboard',
      'rejectRenewalProposal',
      'renewApnsCertificate',
      'renewFromApnsDashboard',
      'unacknowledgeApnsAlert',
    ]);
  });

  test('when run as a process, it prints the URL, serves the page, and on Ctrl-C exits 0 with nothing left listening', async () => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    // The CLI reads local.settings.json from its working directory: the temp dir has none.
    const child = spawn(process.execPath, [join(root, 'bin', 'apns-monitor.js'), 'serve', '--port', '0', '--state-file', stateFile], { env: childEnv, cwd: dir });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /^(http:\/\/127\.0\.0\.1:\d+\/api\/apns\/dashboard)$/m.exec(out)?.[1];
        if (found) resolve(found);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code} before printing its URL:\n${out}\n${err}`)));
    });
    const port = Number(new URL(url).port);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1>Contoso Serve</h1>');
    // The key it printed is the one its API takes: past the guard, a body of the wrong shape is the
    // renewal's own 400 (the child cannot resolve the test's vault host, so nothing further is tried).
    const key = /-H 'x-functions-key: ([A-Za-z0-9_-]{43})'/.exec(out)?.[1] as string;
    const post = (headers: Record<string, string>) => fetch(`${new URL(url).origin}/api/apns/renew`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"bogus":1}' });
    expect((await post({ 'x-functions-key': key })).status).toBe(400);
    expect((await post({})).status).toBe(401);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Only the two refusals above, each logged as a warning.
    expect(err.trim().split('\n').map((l) => /^warning: (?:Renewal refused \()?([a-z_]+)/.exec(l)?.[1])).toEqual(['invalid_request', 'invalid_request', 'sign_in_required']);
    expect(await refused(port)).toBe(true);
  });
});
