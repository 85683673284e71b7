import { keyVaultSecretVersionCreated } from '../../functions/keyVaultSecretVersionCreated';
import { createTableProposalStore } from '../../shared/adapters/state/tableProposalStore';
import { createTableAuditLog } from '../../shared/adapters/state/tableRenewalLock';
import { createDecideDeps } from '../../shared/composition/createServices';
import { loadConfig } from '../../shared/config/loadConfig';
import { silentLogger } from '../../shared/ports/logger';
import { createAppleCertificate, type AppleCertificate } from '../../shared/simulator/certificates';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { approveRenewal } from '../../shared/useCases/approveRenewal';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, withAppSettings } from '../support/functionEnv';
import { triggerOf } from '../support/functionsCoreApi';
import { loopbackTls } from '../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

// The Event Grid trigger as the Functions host calls it (one event per invocation), with its state in
// Table Storage (Azurite), the real Key Vault and Graph clients against the simulators, and a receiver
// per channel: a stored certificate becomes a proposal, dry-run, recorded and announced, never uploaded.

const DAY = 86_400_000;
const UUID = '5E4D3C2B-1A09-4F8E-9D7C-6B5A49382716';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const APPLE_ID = 'mdm-admin@contoso.com';
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const PAGE = 'https://status.contoso.example/api/apns/dashboard';
const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;

let h: TenantHarness;
let kv: KeyVaultSimulator;
let rx: ChannelReceivers;
let restore: () => void;
let table: string;
let current: AppleCertificate;
let env: Record<string, string>;

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  rx = await startChannelReceivers({ tls: loopbackTls() });
  current = createAppleCertificate({ uuid: UUID, notBefore: new Date(Date.now() - 360 * DAY), notAfter: new Date(Date.now() + 5 * DAY) });
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close(), rx.close()]);
});
beforeEach(() => {
  h.graph.reset();
  rx.clear();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: APPLE_ID, serialNumber: current.serialNumber, expiresAt: current.notAfter });
  table = uniqueTableName('proposals');
  env = {
    ...h.env,
    AzureWebJobsStorage: connectionString,
    APNS_STATE_TABLE: table,
    APNS_KEY_VAULT_URL: kv.vaultUrl,
    APNS_STATUS_PAGE_URL: PAGE,
    APNS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
    APNS_SLACK_WEBHOOK_URL: rx.urls.slack,
    APNS_WEBHOOK_URL: rx.urls.webhook,
    APNS_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  };
  restore = withAppSettings(env);
});
afterEach(() => restore());

const renewed = (over: Parameters<typeof createAppleCertificate>[0] = {}) =>
  createAppleCertificate({ uuid: UUID, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 370 * DAY), ...over });

/** Stores a new version of a secret and delivers its Key Vault event to the function, as the host does. */
async function store(name: string, pem: string, schema: 'eventgrid' | 'cloudevents' = 'eventgrid') {
  const version = kv.setSecret(name, pem, { contentType: 'application/x-pem-file' });
  const event = kv.secretEvent(name, version, schema);
  const context = recordingContext('keyVaultSecretVersionCreated');
  await keyVaultSecretVersionCreated(event, context);
  return { version, event, context };
}

const proposals = () => createTableProposalStore({ connection: { kind: 'connectionString', connectionString }, table }).list();
const keyVaultReads = (since = 0) => kv.requests.slice(since).filter((r) => r.method === 'GET' && r.authorized);
/**
 * The proposal's message on each channel. (Its monitoring run also sends the certificate's own
 * critical alert the first time, on a fresh table: that one is not the proposal's.)
 */
const PROPOSAL = /Renewal ready|Do not upload/;
const texts = () => ({
  teams: rx.of('teams').map((r) => JSON.stringify(r.json)).filter((t) => PROPOSAL.test(t)),
  slack: rx.of('slack').map((r) => (r.json as { text: string }).text).filter((t) => PROPOSAL.test(t)),
  pagerduty: rx.of('pagerduty').map((r) => r.json as { event_action: string; dedup_key: string; payload: { summary: string } }).filter((e) => PROPOSAL.test(e.payload.summary)),
  webhook: rx.of('webhook').map((r) => r.json as { type: string; data: { title: string; nextSteps: string[] } }).filter((e) => e.type === 'apns.renewal_proposed'),
});

describe('keyVaultSecretVersionCreated (Event Grid trigger)', () => {
  test('when the function is registered, it is an Event Grid trigger', () => {
    expect(triggerOf('keyVaultSecretVersionCreated')).toMatchObject({ type: 'eventGridTrigger' });
  });

  test.each(['eventgrid', 'cloudevents'] as const)(
    'when the renewed certificate is stored (%s schema), a passing proposal is recorded, nothing is uploaded, and every channel is told "renewal ready — approve on the status page" with the serial and the link',
    async (schema) => {
      const next = renewed();
      const since = kv.requests.length;
      const { version } = await store('apns-certificate', next.certPem, schema);
      expect(h.graph.uploads).toEqual([]);
      const [stored, ...more] = await proposals();
      expect(more).toEqual([]);
      expect(stored?.proposal).toMatchObject({
        tenantId: h.identity.tenantId,
        secretName: 'apns-certificate',
        secretVersion: version,
        serialNumber: next.serialNumber,
        oldExpiresAt: current.notAfter.getTime(),
        newExpiresAt: next.notAfter.getTime(),
        status: 'pending',
        outcome: 'valid',
        proposedBy: 'Key Vault event',
        proposedByPerson: false,
      });
      expect(stored?.proposal.lapsesAt).toBe((stored?.proposal.proposedAt ?? 0) + 7 * DAY);
      expect(stored?.proposal.checks.map((c) => [c.step, c.ok])).toEqual([[1, true], [2, true], [3, true], [4, true], [5, true], [6, true], [7, true], [8, true], [9, true], [10, true], [11, true]]);
      // Only that version was read, once.
      expect(keyVaultReads(since).map((r) => r.path)).toEqual([`/secrets/apns-certificate/${version}`]);
      const link = `${PAGE}?tenant=${h.identity.tenantId}#proposal-${stored?.proposal.id}`;
      const sent = texts();
      expect(sent.teams).toHaveLength(1);
      expect(sent.teams[0]).toContain(`Renewal ready — approve on the status page: certificate serial ${next.serialNumber}`);
      expect(sent.teams[0]).toContain(link);
      expect(sent.slack[0]).toContain(`Renewal ready — approve on the status page: certificate serial ${next.serialNumber}`);
      expect(sent.webhook[0]).toMatchObject({ type: 'apns.renewal_proposed', data: { nextSteps: [`Approve it on the status page: ${link}`, `Or from a terminal: apns-monitor renewals approve ${stored?.proposal.id}`] } });
      // PagerDuty hears it on the certificate's own incident (whatever its minimum severity).
      expect(sent.pagerduty).toEqual([expect.objectContaining({ event_action: 'trigger', dedup_key: `${h.identity.tenantId}:apns:${TOPIC}` })]);
      // The audit has the dry run, by the event.
      const audit = await createTableAuditLog({ connection: { kind: 'connectionString', connectionString }, table }).latest(h.identity.tenantId, 5);
      expect(audit).toEqual([expect.objectContaining({ outcome: 'valid', actor: 'Key Vault event', via: 'event', dryRun: true, secretVersion: version })]);
    },
  );

  test('when a certificate with another topic is stored, the proposal is refused, every channel is told "do not upload this; renew the existing certificate with the same Apple ID", and it cannot be approved', async () => {
    const wrong = renewed({ uuid: 'AAAAAAAA-1111-4222-8333-444444444444' });
    await store('apns-certificate', wrong.certPem);
    const [stored] = await proposals();
    expect(stored?.proposal).toMatchObject({ status: 'refused', outcome: 'topic_mismatch', serialNumber: wrong.serialNumber, intuneTopic: TOPIC });
    expect(stored?.proposal.message).toContain('this is a new certificate, not a renewal');
    const sent = texts();
    expect(sent.teams[0]).toContain('Do not upload: the certificate stored in Key Vault as apns-certificate');
    expect(sent.webhook[0]?.data.nextSteps[0]).toBe(`Do not upload this certificate; renew the existing certificate with the same Apple ID (${APPLE_ID}).`);
    expect(sent.webhook[0]?.data.nextSteps[1]).toContain(`Renew the existing certificate (topic ${TOPIC})`);
    // Approving it is refused before anything else is read, and nothing is uploaded.
    const decide = await createDecideDeps(loadConfig(env), { logger: silentLogger, env }, { via: 'http', correlationId: 'test' });
    await expect(approveRenewal(decide, stored?.proposal.id as string, 'sam@contoso.com')).rejects.toMatchObject({ code: 'proposal_closed', message: expect.stringContaining('its checks refused the certificate (topic_mismatch)') });
    expect(h.graph.uploads).toEqual([]);
  });

  test.each([
    ['another secret of the vault (a channel secret)', (v: KeyVaultSimulator) => v.secretEvent('apns-teams-webhook-url', v.setSecret('apns-teams-webhook-url', 'https://contoso.webhook.office.com/x'))],
    ['another vault', (v: KeyVaultSimulator) => ({ ...v.secretEvent('apns-certificate', 'abc'), data: { VaultName: 'other-kv', ObjectType: 'Secret', ObjectName: 'apns-certificate', Version: 'abc' } })],
    ['another event type', (v: KeyVaultSimulator) => ({ ...v.secretEvent('apns-certificate', 'abc'), eventType: 'Microsoft.KeyVault.SecretNearExpiry' })],
  ])('when the event is for %s, nothing is read (the Key Vault simulator sees no request), recorded or sent', async (_what, make) => {
    const event = make(kv);
    const before = kv.requests.length;
    const context = recordingContext('keyVaultSecretVersionCreated');
    await keyVaultSecretVersionCreated(event, context);
    expect(kv.requests.length).toBe(before);
    expect(h.graph.requests).toEqual([]);
    expect(await proposals()).toEqual([]);
    expect(rx.received).toEqual([]);
    expect(context.lines.join('\n')).toMatch(/ignored, nothing read/);
  });

  test('when Event Grid delivers the same event again (or another event names the same version), it is one proposal and one message', async () => {
    const { event } = await store('apns-certificate', renewed().certPem);
    const reads = keyVaultReads().length;
    await keyVaultSecretVersionCreated(event, recordingContext('keyVaultSecretVersionCreated'));
    await keyVaultSecretVersionCreated({ ...event, id: 'another-delivery' }, recordingContext('keyVaultSecretVersionCreated'));
    expect(await proposals()).toHaveLength(1);
    expect(keyVaultReads()).toHaveLength(reads);
    expect(texts().teams).toHaveLength(1);
  });

  test('when a newer version of the secret is stored, the older proposal is superseded and only the newer can be approved', async () => {
    await store('apns-certificate', renewed().certPem);
    const [older] = await proposals();
    await store('apns-certificate', renewed().certPem);
    const all = await proposals();
    const newer = all.find((p) => p.proposal.id !== older?.proposal.id);
    expect(all.map((p) => p.proposal.status).sort()).toEqual(['pending', 'superseded']);
    expect(all.find((p) => p.proposal.id === older?.proposal.id)?.proposal).toMatchObject({ status: 'superseded', supersededBy: newer?.proposal.id });
  });

  test('when Key Vault cannot be read, nothing is recorded and the invocation fails, so Event Grid delivers the event again', async () => {
    const version = kv.setSecret('apns-certificate', renewed().certPem);
    kv.failNext(500, 10);
    const context = recordingContext('keyVaultSecretVersionCreated');
    await expect(keyVaultSecretVersionCreated(kv.secretEvent('apns-certificate', version), context)).rejects.toMatchObject({ code: 'key_vault_unavailable' });
    expect(await proposals()).toEqual([]);
    expect(context.lines.join('\n')).toMatch(/Event Grid delivers it again/);
    kv.failNext(500, 0);
  });

  test('when the delivery is not an event at all, it is logged and dropped (another delivery cannot fix it)', async () => {
    const context = recordingContext('keyVaultSecretVersionCreated');
    const before = kv.requests.length;
    await keyVaultSecretVersionCreated({ hello: 'world' }, context);
    expect(context.lines.join('\n')).toMatch(/warning A Key Vault event was dropped: The Event Grid event has no id/);
    expect(kv.requests.length).toBe(before);
  });
});
