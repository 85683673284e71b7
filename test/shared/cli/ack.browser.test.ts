import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServing } from '../../../shared/cli/commands/serveCommand';
import type { LocalServer } from '../../../shared/cli/localServer';
import { main } from '../../../shared/cli/main';
import { loadConfig } from '../../../shared/config/loadConfig';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { launchBrowser } from '../../support/browser';
import { bufferIo } from '../../support/bufferIo';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// The status page's acknowledgement (SPEC §15) in a real headless Chromium against
// `apns-monitor serve`: the person at this computer acknowledges from the page (a same-origin JSON
// POST through the one request guard) and ends it again; another site's page cannot.

declare const document: { title: string };

const DAY = 86_400_000;
const date = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);
let h: TenantHarness;
let dir: string;
let stateFile: string;
let server: LocalServer;
let attacker: Server;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const logged: string[] = [];

beforeAll(async () => {
  h = await startTenantHarness({ tenant: { apns: apnsFixture({ expiresAt: Date.now() + 20 * DAY }) } });
  h.useIdentityEnv();
  dir = mkdtempSync(join(tmpdir(), 'apns-ack-browser-'));
  stateFile = join(dir, 'state.json');
  expect(await main(['check', '--state-file', stateFile], bufferIo(h.env, dir))).toBe(1);
  server = await startServing(loadConfig(h.env), { env: h.env, port: 0, stateFile, log: (level, text) => logged.push(`${level} ${text}`) });
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>cats</title><script>fetch('${server.origin}/api/apns/dashboard/ack', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ key: 'x:apns:y', until: '${date(3)}', reason: 'cats' }) }).finally(() => { document.title = 'sent'; });</script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  browser = await launchBrowser();
});
afterAll(async () => {
  await Promise.all([browser?.closeAndClean(), server?.close(), h?.close(), new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)))]);
  rmSync(dir, { recursive: true, force: true });
});

const stored = () => JSON.parse(readFileSync(stateFile, 'utf8')) as { records: Record<string, { state: { value: { acks?: Record<string, { reason: string; by: string }> } } }> };
const acksOf = () => stored().records[h.identity.tenantId]?.state.value.acks ?? {};

describe('acknowledging from the status page (apns-monitor serve, real Chromium)', () => {
  test('when the person acknowledges the warning from the page, it is stored under their name, the page shows who, why and until when, and "End" ends it', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.dashboardUrl);
      await page.waitForSelector('#ack fieldset:not([disabled])');
      expect(await page.$$eval('#ack-key option', (o) => o.length)).toBe(1); // the certificate; never the monitor
      await page.$eval('#ack-until', (input, value) => ((input as unknown as { value: string }).value = value), date(5));
      await page.type('#ack-reason', 'Renewal booked for Thursday');
      await Promise.all([page.waitForNavigation(), page.click('#ack button[type=submit]')]);
      const row = await page.$eval('#acknowledgements tbody', (t) => t.textContent ?? '');
      expect(row).toContain('Renewal booked for Thursday');
      expect(row).toContain(`${date(5)} 00:00 UTC`);
      expect(Object.values(acksOf())).toEqual([expect.objectContaining({ reason: 'Renewal booked for Thursday', by: expect.stringMatching(/\(local\)$/) })]);
      const audit = readFileSync(`${stateFile}.audit.jsonl`, 'utf8');
      expect(audit).toContain('"outcome":"acknowledged"');

      await Promise.all([page.waitForNavigation(), page.click('form.unack button')]);
      expect(await page.$('#acknowledgements')).toBeNull();
      expect(acksOf()).toEqual({});
    } finally {
      await page.close();
    }
  });

  test('when a page of another site posts an acknowledgement through the browser, it is refused before anything is read', async () => {
    logged.length = 0;
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/cats`);
      await page.waitForFunction(() => document.title === 'sent');
    } finally {
      await page.close();
    }
    expect(logged).toEqual([expect.stringMatching(/^warning forbidden: Refused: this action is accepted only from the status page itself/)]);
    expect(acksOf()).toEqual({});
  });
});
