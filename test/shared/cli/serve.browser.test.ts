import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServing } from '../../../shared/cli/commands/serveCommand';
import type { LocalServer } from '../../../shared/cli/localServer';
import { main } from '../../../shared/cli/main';
import { loadConfig } from '../../../shared/config/loadConfig';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { launchBrowser } from '../../support/browser';
import { bufferIo } from '../../support/bufferIo';
import { startOtherSite, type OtherSite } from '../../support/otherSite';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// The attack of issue 16: any web page the person opens drives `apns-monitor serve` through their
// browser. A real headless Chromium opens a page of another origin (http://localhost:<other port>)
// whose script posts to the local server the way a page can without a CORS preflight.

const DAY = 86_400_000;
const UUID = '6C1D2E3F-4A5B-4C6D-8E7F-9A0B1C2D3E4F';
const TOPIC = `com.apple.mgmt.External.${UUID}`;

let h: TenantHarness;
let kv: KeyVaultSimulator;
let dir: string;
let server: LocalServer;
let attacker: OtherSite;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const logged: string[] = [];

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness({ tenant: { apns: apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0B', expiresAt: Date.now() + 20 * DAY }) } });
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  // A good renewed certificate waits in Key Vault: an upload that got through would succeed.
  kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
  dir = mkdtempSync(join(tmpdir(), 'apns-serve-browser-'));
  const stateFile = join(dir, 'state.json');
  const env = { ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl };
  expect(await main(['check', '--state-file', stateFile], bufferIo(env, dir))).toBe(1);
  server = await startServing(loadConfig(env), { env, port: 0, stateFile, log: (level, text) => logged.push(`${level} ${text}`) });
  attacker = await startOtherSite();
  browser = await launchBrowser();
});
afterAll(async () => {
  await Promise.all([browser?.closeAndClean(), server?.close(), h?.close(), kv?.close(), attacker?.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  logged.length = 0;
});

/** Opens the other site's page in Chromium and waits until its script has sent its request. */
const visitAttacker = (request: string) => attacker.visit(browser, request);

describe('apns-monitor serve against another site in a real browser', () => {
  test.each([
    ['{}', 'a renewal with the defaults'],
    ['{"allowNewTopic":true}', 'a renewal that allows a new topic'],
  ])('when a page of another origin posts %s (%s) to /api/apns/renew with no-cors and text/plain, nothing is read or uploaded', async (body) => {
    await visitAttacker(`fetch('${server.origin}/api/apns/renew', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '${body}' })`);
    expect(h.graph.uploads).toEqual([]);
    expect(h.graph.requests).toEqual([]);
    // It did reach the server, which refused it as another site's request.
    expect(logged).toEqual([expect.stringMatching(/^warning forbidden: Refused: .*Sec-Fetch-Site is "cross-site"/)]);
  });

  test('when a page of another origin submits a form to the page’s dry-run route, it is refused before anything is read', async () => {
    await visitAttacker(`fetch('${server.origin}/api/apns/dashboard/renew', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"dryRun":true}' })`);
    expect(h.graph.requests).toEqual([]);
    expect(logged).toEqual([expect.stringMatching(/^warning forbidden: Refused: this action is accepted only from the status page itself/)]);
  });
});
