import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startServing } from '../../../shared/cli/commands/serveCommand';
import { eventGridWebhookUrl, type LocalServer } from '../../../shared/cli/localServer';
import { main } from '../../../shared/cli/main';
import { loadConfig } from '../../../shared/config/loadConfig';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { deliverEvents } from '../../../shared/simulator/eventGridDelivery';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import type { StatusView } from '../../../shared/useCases/getStatus';
import { launchBrowser } from '../../support/browser';
import { bufferIo } from '../../support/bufferIo';
import { startOtherSite, type OtherSite } from '../../support/otherSite';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// The whole flow on a laptop, in a real headless Chromium: the renewed certificate is stored in Key
// Vault, Event Grid delivers its event to `apns-monitor serve`, the proposal appears on the status page
// with its checks, and the person approves it there — typing the key serve printed, which no other web
// page can know. It is uploaded once.

declare const document: { querySelector(s: string): { textContent: string | null } | null };

const DAY = 86_400_000;
const UUID = '1D2C3B4A-5F6E-4D7C-8B9A-0F1E2D3C4B5A';
const TOPIC = `com.apple.mgmt.External.${UUID}`;

let h: TenantHarness;
let kv: KeyVaultSimulator;
let dir: string;
let stateFile: string;
let server: LocalServer;
let attacker: OtherSite;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const logged: string[] = [];

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness({ tenant: { apns: apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0D', expiresAt: Date.now() + 20 * DAY }) } });
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  dir = mkdtempSync(join(tmpdir(), 'apns-serve-proposals-'));
  stateFile = join(dir, 'state.json');
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
  logged.length = 0;
});

/** Key Vault → Event Grid → serve: a new version of the certificate secret, proposed. Returns the proposal id. */
async function storeRenewedCertificate(): Promise<string> {
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0D', expiresAt: Date.now() + 20 * DAY });
  h.graph.reset();
  const version = kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
  const [answer] = await deliverEvents(eventGridWebhookUrl(server), [kv.secretEvent('apns-certificate', version, 'cloudevents')], 'cloudevents');
  expect(answer?.status).toBe(202);
  const status = (await (await fetch(`${server.origin}/api/apns/status`)).json()) as StatusView;
  return status.proposals?.find((p) => p.secretVersion === version)?.id as string;
}

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(server.dashboardUrl, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return page;
}

/** Submits a proposal's approve form with this key and waits for the answer in its result area. */
async function approveOnPage(page: Page, id: string, key: string): Promise<string> {
  const form = `#proposal-${id} form[action$="/renewals/approve"]`;
  await page.waitForSelector(`${form} fieldset:not([disabled])`);
  await page.$eval(`${form} input[name=key]`, (input, value) => ((input as unknown as { value: string }).value = value), key);
  await page.click(`${form} button[type=submit]`);
  await page.waitForFunction((sel) => /^(Outcome|Refused|Unexpected)/.test(document.querySelector(sel)?.textContent ?? ''), {}, `#proposal-result-${id} p`);
  return page.$eval(`#proposal-result-${id}`, (el) => el.textContent ?? '');
}

describe('renewal proposals on the status page of apns-monitor serve, in a real browser', () => {
  test('when the stored certificate was proposed, the page shows it with every check, and approving it with the key serve printed uploads it once', async () => {
    const id = await storeRenewedCertificate();
    const page = await openPage();
    try {
      const panel = await page.$eval(`#proposal-${id}`, (el) => el.textContent ?? '');
      expect(panel).toContain('Waiting for approval');
      expect(panel).toContain('by Key Vault event');
      expect(panel).toContain('✓ passed: same topic');
      expect(panel).toContain('✓ passed: dry run');
      expect(h.graph.uploads).toEqual([]);

      const answer = await approveOnPage(page, id, server.key);
      expect(answer).toMatch(/^Outcome: renewed — Renewed: the certificate now expires/);
      expect(answer).toContain('✓ passed: verified in Intune');
      expect(h.graph.uploads).toHaveLength(1);
      const audit = readFileSync(`${stateFile}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(audit.at(-1)).toMatchObject({ outcome: 'renewed', actor: expect.stringMatching(/ \(local\)$/), proposalId: id, proposedBy: 'Key Vault event' });

      // Approving twice (the form is still there) uploads nothing more.
      const again = await approveOnPage(page, id, server.key);
      expect(again).toMatch(/^Refused \(HTTP 409\): proposal_closed — Proposal \w+ was already approved/);
      expect(h.graph.uploads).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  test('when the key typed is not the one serve printed, the approval is refused 401 and nothing is read or uploaded', async () => {
    const id = await storeRenewedCertificate();
    const page = await openPage();
    try {
      h.graph.reset();
      const answer = await approveOnPage(page, id, 'a-guess');
      expect(answer).toMatch(/^Refused \(HTTP 401\): sign_in_required — An upload from the local server's page needs its key/);
      expect(h.graph.requests).toEqual([]);
      expect(h.graph.uploads).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test('when a page of another site posts an approval (no-cors, text/plain), it is refused before anything is read', async () => {
    const id = await storeRenewedCertificate();
    h.graph.reset();
    await attacker.visit(browser, `fetch('${server.origin}/api/apns/dashboard/renewals/approve', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"id":"${id}"}' })`);
    expect(h.graph.requests).toEqual([]);
    expect(h.graph.uploads).toEqual([]);
    expect(logged.filter((l) => !l.startsWith('information '))).toEqual([expect.stringMatching(/^warning forbidden: Refused: this action is accepted only from the status page itself/)]);
  });
});
