import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServing } from '../../../shared/cli/commands/serveCommand';
import { eventGridWebhookUrl, type LocalServer } from '../../../shared/cli/localServer';
import { main } from '../../../shared/cli/main';
import { loadConfig } from '../../../shared/config/loadConfig';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { deliverEvents, validateSubscription } from '../../../shared/simulator/eventGridDelivery';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import type { StatusView } from '../../../shared/useCases/getStatus';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// `apns-monitor serve` as Event Grid's webhook: POST /runtime/webhooks/eventgrid?functionName=…
// answered as the Functions host's Event Grid extension answers it (handshakes, 202/500, 404, 400),
// behind this run's key like every state-changing route, so the whole flow runs on a laptop.

const DAY = 86_400_000;
const UUID = '7A6B5C4D-3E2F-4A1B-8C9D-0E1F2A3B4C5D';
const TOPIC = `com.apple.mgmt.External.${UUID}`;

let h: TenantHarness;
let kv: KeyVaultSimulator;
let rx: ChannelReceivers;
let dir: string;
let server: LocalServer;
let webhook: string;
const logged: string[] = [];

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness({ tenant: { apns: apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0C', expiresAt: Date.now() + 20 * DAY }) } });
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-serve-eventgrid-'));
  const stateFile = join(dir, 'state.json');
  const env = { ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl, APNS_TEAMS_WEBHOOK_URL: rx.urls.teams, APNS_DELIVERY_ATTEMPTS: '1' };
  expect(await main(['check', '--state-file', stateFile], bufferIo(env, dir))).toBe(1);
  server = await startServing(loadConfig(env), { env, port: 0, stateFile, log: (level, text) => logged.push(`${level} ${text}`) });
  webhook = eventGridWebhookUrl(server);
});
afterAll(async () => {
  await Promise.all([server?.close(), h?.close(), kv?.close(), rx?.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  rx.clear();
  logged.length = 0;
});

const renewedPem = () => createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem;
const proposals = async () => ((await (await fetch(`${server.origin}/api/apns/status`)).json()) as StatusView).proposals ?? [];
const withoutKey = (url: string) => url.replace(/&code=[^&]+/, '');

describe('apns-monitor serve: the Event Grid webhook', () => {
  test('when Event Grid validates the subscription, it answers the handshake of either schema as the host does', async () => {
    const grid = await validateSubscription(webhook, 'eventgrid', 'code-123');
    expect([grid.status, JSON.parse(grid.body)]).toEqual([200, { validationResponse: 'code-123' }]);
    const cloud = await validateSubscription(webhook, 'cloudevents');
    expect([cloud.status, cloud.headers.get('webhook-allowed-origin')]).toEqual([200, 'eventgrid.azure.net']);
  });

  test.each(['eventgrid', 'cloudevents'] as const)('when a new version of the certificate secret is delivered (%s schema), it answers 202, the proposal is on the status API and the message links to this page', async (schema) => {
    const version = kv.setSecret('apns-certificate', renewedPem());
    const [answer, ...more] = await deliverEvents(webhook, [kv.secretEvent('apns-certificate', version, schema)], schema);
    expect(more).toEqual([]);
    expect(answer?.status).toBe(202);
    const proposal = (await proposals()).find((p) => p.secretVersion === version);
    expect(proposal).toMatchObject({ state: 'pending', proposedBy: 'Key Vault event' });
    expect(rx.of('teams').map((r) => JSON.stringify(r.json)).find((t) => t.includes('Renewal ready'))).toContain(`${server.dashboardUrl}?tenant=${h.identity.tenantId}#proposal-${proposal?.id}`);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when the delivery has no key, or a wrong one, it is refused 401 before anything is read', async () => {
    const version = kv.setSecret('apns-certificate', renewedPem());
    const before = kv.requests.length;
    for (const url of [withoutKey(webhook), `${withoutKey(webhook)}&code=not-the-key`]) {
      const [answer] = await deliverEvents(url, [kv.secretEvent('apns-certificate', version)], 'eventgrid');
      expect(answer?.status).toBe(401);
    }
    expect(kv.requests.length).toBe(before);
    expect((await proposals()).some((p) => p.secretVersion === version)).toBe(false);
  });

  test('when a web page of another site posts a form (text/plain) to it, it is refused 403 before anything is read', async () => {
    const version = kv.setSecret('apns-certificate', renewedPem());
    const before = kv.requests.length;
    const response = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'text/plain', 'aeg-event-type': 'Notification', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, body: JSON.stringify([kv.secretEvent('apns-certificate', version)]) });
    expect(response.status).toBe(403);
    expect(kv.requests.length).toBe(before);
    expect(logged).toEqual([expect.stringMatching(/^warning forbidden: Refused: .*the Event Grid webhook takes Event Grid's deliveries/)]);
  });

  test('when the function name is unknown, or the event type header is missing, or Event Grid unsubscribes, it answers as the host does (404, 400, 202)', async () => {
    const unknown = await fetch(webhook.replace('functionName=keyVaultSecretVersionCreated', 'functionName=nope'), { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body: '[]' });
    expect([unknown.status, await unknown.text()]).toEqual([404, "cannot find function: 'nope'"]);
    const headerless = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(headerless.status).toBe(400);
    const unsubscribe = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Unsubscribe' }, body: '[]' });
    expect(unsubscribe.status).toBe(202);
  });

  test('when Key Vault cannot be read, it answers 500 (Event Grid retries), and the retried delivery makes the proposal', async () => {
    const version = kv.setSecret('apns-certificate', renewedPem());
    const event = kv.secretEvent('apns-certificate', version);
    kv.failNext(503, 10);
    const [failed] = await deliverEvents(webhook, [event], 'eventgrid');
    expect(failed?.status).toBe(500);
    expect(failed?.body).toMatch(/could not be read \(503\)/);
    kv.failNext(503, 0);
    const [retried] = await deliverEvents(webhook, [event], 'eventgrid');
    expect(retried?.status).toBe(202);
    expect((await proposals()).some((p) => p.secretVersion === version)).toBe(true);
  });
});
