import { HttpRequest } from '@azure/functions';
import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { getApnsCsr } from '../../functions/getApnsCsr';
import { getApnsStatus } from '../../functions/getApnsStatus';
import { renewApnsCertificate } from '../../functions/renewApnsCertificate';
import { createTableRenewalLock } from '../../shared/adapters/state/tableRenewalLock';
import { createAppleCertificate, toPkcs12Base64, type AppleCertificate } from '../../shared/simulator/certificates';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { loopbackTls } from '../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

const DAY = 86_400_000;
const UUID = '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const APPLE_ID = 'mdm-admin@contoso.com';
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;

let h: TenantHarness;
let kv: KeyVaultSimulator;
let rx: ChannelReceivers;
let restore: () => void;
let table: string;
/** Intune's current certificate: expires in 5 days (critical). */
let current: AppleCertificate;

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
  table = uniqueTableName('renew');
  restore = withAppSettings({
    ...h.env,
    AzureWebJobsStorage: connectionString,
    APNS_STATE_TABLE: table,
    APNS_KEY_VAULT_URL: kv.vaultUrl,
    APNS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
  });
});
afterEach(() => restore());

const renewed = (over: Parameters<typeof createAppleCertificate>[0] = {}) =>
  createAppleCertificate({ uuid: UUID, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 370 * DAY), ...over });

function post(body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/apns/renew', body: { string: text }, headers: { 'content-type': 'application/json', ...headers } });
}

async function renew(body: unknown, headers: Record<string, string> = {}) {
  const context = recordingContext('renewApnsCertificate');
  const response = await renewApnsCertificate(post(body, headers), context);
  return { status: response.status, body: response.jsonBody as Record<string, unknown> & { error?: { code: string; message: string; correlationId: string } }, context };
}

const patches = () => h.graph.requests.filter((r) => r.method === 'PATCH');

describe('renewApnsCertificate (POST /api/apns/renew)', () => {
  test('when the renewed certificate is in Key Vault, it uploads it once as PEM, verifies, audits, announces, and resolves the open alert', async () => {
    // An alert is open on PagerDuty and Teams (5 days: critical).
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    expect(rx.of('pagerduty').map((r) => (r.json as { event_action: string }).event_action)).toEqual(['trigger']);
    rx.clear();
    const next = renewed();
    kv.setSecret('apns-certificate', next.certPem);

    // Behind App Service Authentication (which strips forged principal headers), the caller is named.
    process.env.WEBSITE_AUTH_ENABLED = 'True';
    const { status, body } = await renew({}, { 'x-ms-client-principal-name': 'alex@contoso.com' });
    delete process.env.WEBSITE_AUTH_ENABLED;
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'renewed', before: { serialNumber: current.serialNumber }, after: { serialNumber: next.serialNumber, topic: TOPIC } });
    expect((body.checks as { step: number; ok: boolean }[]).map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13]);
    expect(patches()).toHaveLength(1);
    expect(patches()[0]?.path).toBe('/beta/deviceManagement/applePushNotificationCertificate');
    expect(h.graph.uploads).toHaveLength(1);
    expect(h.graph.uploads[0]).toMatchObject({ appleIdentifier: APPLE_ID, applied: true });
    expect(String(h.graph.uploads[0]?.certificate)).toMatch(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n?$/);
    expect(String(h.graph.uploads[0]?.certificate)).not.toMatch(/PRIVATE KEY/);
    // Announced everywhere; PagerDuty resolves the same dedup_key; no separate "resolved" duplicate.
    const pd = rx.of('pagerduty').map((r) => r.json as { event_action: string; dedup_key: string });
    expect(pd).toEqual([{ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: `${h.identity.tenantId}:apns:${TOPIC}` }]);
    expect(rx.of('teams')).toHaveLength(1);
    expect(JSON.stringify(rx.of('teams')[0]?.json)).toContain('RENEWED: Apple MDM push certificate now expires in 369 days');
    // Audited, and visible in the status.
    const statusResponse = await getApnsStatus(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/status' }), recordingContext('getApnsStatus'));
    const status2 = statusResponse.jsonBody as { lastRenewal: Record<string, unknown>; openAlerts: Record<string, unknown> };
    expect(status2.lastRenewal).toMatchObject({ outcome: 'renewed', actor: 'alex@contoso.com', via: 'http', secretName: 'apns-certificate', new: { serialNumber: next.serialNumber } });
    expect(status2.openAlerts).toEqual({});
  });

  test.each([
    ['PKCS#12 (Key Vault certificate)', (c: AppleCertificate) => toPkcs12Base64(c), 'application/x-pkcs12'],
    ['base64 DER', (c: AppleCertificate) => c.derBase64, undefined],
  ])('when the secret holds %s, it is read and the PEM is uploaded', async (_what, encode, contentType) => {
    const next = renewed();
    kv.setSecret('apns-certificate', encode(next), contentType ? { contentType } : {});
    const { status, body } = await renew({});
    expect(status).toBe(200);
    expect(body.outcome).toBe('renewed');
    expect(String(h.graph.uploads[0]?.certificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  test('when it is a dry run, every check passes, the answer is "valid", and nothing is uploaded', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    const { status, body } = await renew({ dryRun: true });
    expect(status).toBe(200);
    expect(body.outcome).toBe('valid');
    expect(patches()).toEqual([]);
  });

  test('when the secret already is Intune\'s certificate, the answer is 200 already_current with no PATCH', async () => {
    kv.setSecret('apns-certificate', current.certPem);
    const { status, body } = await renew({});
    expect(status).toBe(200);
    expect(body.outcome).toBe('already_current');
    expect(patches()).toEqual([]);
  });

  const refusals: [string, number, string, () => unknown][] = [
    ['a certificate for another topic', 409, 'topic_mismatch', () => kv.setSecret('apns-certificate', renewed({ uuid: 'AAAAAAAA-0000-0000-0000-000000000000' }).certPem)],
    ['an expired certificate', 422, 'certificate_expired', () => kv.setSecret('apns-certificate', renewed({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }).certPem)],
    ['a certificate not yet valid', 422, 'certificate_not_yet_valid', () => kv.setSecret('apns-certificate', renewed({ notBefore: new Date(Date.now() + 2 * DAY), notAfter: new Date(Date.now() + 400 * DAY) }).certPem)],
    ['a certificate that is not an APNs one', 422, 'not_an_apns_certificate', () => kv.setSecret('apns-certificate', renewed({ subject: [{ name: 'commonName', value: 'www.contoso.com' }] }).certPem)],
    ['garbage', 422, 'certificate_unreadable', () => kv.setSecret('apns-certificate', 'this is not a certificate')],
    ['a certificate that is not newer', 422, 'not_newer', () => kv.setSecret('apns-certificate', renewed({ notAfter: new Date(Date.now() + 2 * DAY) }).certPem)],
    ['no secret at all', 404, 'secret_not_found', () => undefined],
    ['a disabled secret', 422, 'secret_disabled', () => kv.setSecret('apns-certificate-disabled', renewed().certPem, { enabled: false })],
  ];
  test.each(refusals)('when the secret holds %s, it is refused with %i %s and nothing is uploaded', async (_what, status, code, arrange) => {
    arrange();
    const body = code === 'secret_disabled' ? { secretName: 'apns-certificate-disabled' } : code === 'secret_not_found' ? { secretName: 'apns-certificate-missing' } : {};
    const result = await renew(body);
    expect(result.status).toBe(status);
    expect(result.body.error).toMatchObject({ code, correlationId: result.context.invocationId });
    expect(result.body.error?.message.length).toBeGreaterThan(10);
    expect(patches()).toEqual([]);
    expect(JSON.stringify(result.body)).not.toMatch(/\s+at\s.+:\d+:\d+|BEGIN CERTIFICATE/);
  });

  test('when the Apple ID sent differs from Intune\'s, it is refused 409 apple_id_mismatch', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    const { status, body } = await renew({ appleIdentifier: 'someone-else@contoso.com' });
    expect([status, body.error?.code]).toEqual([409, 'apple_id_mismatch']);
    expect(patches()).toEqual([]);
  });

  test('when another renewal holds the lock, it is refused 409 renewal_in_progress', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    const lock = createTableRenewalLock({ connection: { kind: 'connectionString', connectionString }, table });
    const held = await lock.acquire(h.identity.tenantId, 'another-run', 60_000);
    try {
      const { status, body } = await renew({});
      expect([status, body.error?.code]).toEqual([409, 'renewal_in_progress']);
      expect(patches()).toEqual([]);
    } finally {
      await held.release();
    }
  });

  test('when two renewals race, exactly one uploads', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    h.graph.latencyMs = 100;
    try {
      const results = await Promise.all([renew({}), renew({})]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409].sort());
      expect(patches()).toHaveLength(1);
    } finally {
      h.graph.latencyMs = 0;
    }
  });

  test.each([
    ['larger than 16 KB', JSON.stringify({ secretName: 'a'.repeat(17_000) })],
    ['not JSON', '{"dryRun": tru'],
    ['with an unknown field', JSON.stringify({ dryRun: true, certificate: 'x' })],
    ['of the wrong type', JSON.stringify({ dryRun: 'yes' })],
    ['a bad secret name', JSON.stringify({ secretName: '../../etc' })],
    ['a channel secret of the same vault', JSON.stringify({ secretName: 'apns-teams-webhook-url', dryRun: true })],
    ['JSON null', 'null'],
    ['empty', ''],
  ])('when the body is %s, it is refused 400 invalid_request, audited, and nothing is read from Key Vault', async (_what, text) => {
    const before = kv.requests.length;
    const { status, body } = await renew(text);
    expect([status, body.error?.code]).toEqual([400, 'invalid_request']);
    expect(kv.requests.length).toBe(before);
    expect(patches()).toEqual([]);
  });

  test.each([
    ['a form post (text/plain)', { 'content-type': 'text/plain' }],
    ['from another origin', { origin: 'https://evil.example' }],
    ['marked cross-site by the browser', { 'sec-fetch-site': 'cross-site' }],
  ])('when the request is %s, it is refused 403 forbidden before Key Vault or Intune is read', async (_what, headers) => {
    const before = kv.requests.length;
    const { status, body } = await renew({}, headers);
    expect([status, body.error?.code]).toEqual([403, 'forbidden']);
    expect(kv.requests.length).toBe(before);
    expect(h.graph.requests).toEqual([]);
  });

  test('when App Service Authentication is off, a caller-supplied x-ms-client-principal-name is not trusted: the audit says "function key"', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    const { status } = await renew({ dryRun: true }, { 'x-ms-client-principal-name': 'ceo@contoso.com' });
    expect(status).toBe(200);
    const statusResponse = await getApnsStatus(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/status' }), recordingContext('getApnsStatus'));
    expect((statusResponse.jsonBody as { lastRenewal: { actor: string } }).lastRenewal.actor).toBe('function key');
  });

  test('when Graph fails the PATCH (500), it answers 502 upload_failed and claims nothing', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    h.graph.addFault({ resource: 'apnsPatch', status: 500 });
    const { status, body } = await renew({});
    expect([status, body.error?.code]).toEqual([502, 'upload_failed']);
    expect(body.error?.message).toMatch(/Nothing was changed by this product/);
    expect(rx.of('teams').filter((r) => JSON.stringify(r.json).includes('RENEWED'))).toEqual([]);
  });

  test('when the PATCH "succeeds" but Intune still shows the old serial, it is 502 verification_failed and a critical alert goes out', async () => {
    kv.setSecret('apns-certificate', renewed().certPem);
    h.graph.ignoreUploads = true;
    const { status, body } = await renew({});
    expect([status, body.error?.code]).toEqual([502, 'verification_failed']);
    expect(patches()).toHaveLength(1);
    const pd = rx.of('pagerduty').map((r) => r.json as { event_action: string; dedup_key: string; payload?: { severity: string } });
    expect(pd).toEqual(expect.arrayContaining([expect.objectContaining({ event_action: 'trigger', dedup_key: `${h.identity.tenantId}:apns:${TOPIC}/upload-unverified`, payload: expect.objectContaining({ severity: 'error' }) })]));
  });

  test('when allowNewTopic is set for another topic, it uploads and raises a critical alert', async () => {
    kv.setSecret('apns-certificate', renewed({ uuid: 'BBBBBBBB-0000-0000-0000-000000000000' }).certPem);
    const { status, body, context } = await renew({ allowNewTopic: true });
    expect([status, body.outcome]).toEqual([200, 'renewed']);
    expect(context.lines.join('\n')).toMatch(/NEW topic com\.apple\.mgmt\.External\.BBBBBBBB/);
    const triggers = rx.of('pagerduty').map((r) => r.json as { event_action: string; dedup_key: string });
    expect(triggers).toEqual(expect.arrayContaining([expect.objectContaining({ event_action: 'trigger', dedup_key: `${h.identity.tenantId}:apns:com.apple.mgmt.External.BBBBBBBB-0000-0000-0000-000000000000/topic-changed` })]));
  });
});

describe('getApnsCsr (GET /api/apns/csr)', () => {
  test('when Intune has a certificate, it answers the CSR as a .csr attachment', async () => {
    const response = await getApnsCsr(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/csr' }), recordingContext('getApnsCsr'));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'content-disposition': 'attachment; filename="IntuneCSR.csr"' });
    expect(String(response.body)).toMatch(/BEGIN CERTIFICATE REQUEST/);
  });

  test('when Graph denies it, the error names the write permission and has a correlation id', async () => {
    h.graph.addFault({ resource: 'csr', status: 403 });
    const context = recordingContext('getApnsCsr');
    const response = await getApnsCsr(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/csr' }), context);
    expect(response.status).toBe(502);
    expect(response.jsonBody).toMatchObject({ error: { code: 'graph_permission_denied', correlationId: context.invocationId } });
    expect(JSON.stringify(response.jsonBody)).toContain('DeviceManagementServiceConfig.ReadWrite.All');
  });
});
