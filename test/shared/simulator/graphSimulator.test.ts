import { randomUUID } from 'node:crypto';
import { startGraphSimulator, type GraphSimulator } from '../../../shared/simulator/graphSimulator';
import { makeToken, type TokenClaims } from '../../../shared/simulator/identitySimulator';
import { apnsFixture, autopilotFixture, connectorStatusFixture, delegatedAdminCustomerFixture, googlePlayFixture, mtdConnectorFixture, ndesConnectorFixture, unconfiguredApnsFixture, vppFixture } from '../../../shared/simulator/tenantFixtures';
import { loopbackTls } from '../../support/loopbackTls';

const HOME = randomUUID();
const CONTOSO = randomUUID();
const FABRIKAM = randomUUID();
const DAY = 86_400_000;

// From the v1.0 CSDL (microsoftgraph/msgraph-metadata clean_v10_metadata): `id` from graph.entity plus 11.
const VPP_TOKEN_V1 = ['id', 'appleId', 'automaticallyUpdateApps', 'countryOrRegion', 'expirationDateTime', 'lastModifiedDateTime', 'lastSyncDateTime', 'lastSyncStatus', 'organizationName', 'state', 'token', 'vppTokenAccountType'];
const APNS_V1 = ['id', 'appleIdentifier', 'certificate', 'certificateSerialNumber', 'certificateUploadFailureReason', 'certificateUploadStatus', 'expirationDateTime', 'lastModifiedDateTime', 'topicIdentifier'];

let graph: GraphSimulator;
let lenient: GraphSimulator;
beforeAll(async () => {
  [graph, lenient] = await Promise.all([
    startGraphSimulator({ tls: loopbackTls(), tenantId: HOME }),
    startGraphSimulator({ tls: loopbackTls() }), // no tenantId: the default tenant answers any tid
  ]);
});
afterAll(async () => {
  await Promise.all([graph.close(), lenient.close()]);
});
beforeEach(() => {
  graph.reset();
  graph.tenants.clear();
  graph.tenant.apns = apnsFixture();
  graph.tenant.apnsMissingStatus = undefined;
  graph.tenant.vppTokens = [];
});

/** A token as the identity or Entra simulator would issue it for this Graph. */
const token = (tid: string, extra: Partial<TokenClaims> = {}, sim: GraphSimulator = graph) => {
  const now = Math.floor(Date.now() / 1000);
  return makeToken({ aud: sim.audience, tid, oid: randomUUID(), appid: randomUUID(), iat: now, exp: now + 3600, ...extra });
};

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}
const call = async (path: string, bearer: string, init: { method?: string; body?: unknown; sim?: GraphSimulator } = {}): Promise<Answer> => {
  const response = await fetch(`${(init.sim ?? graph).baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};
const batch = async (version: string, urls: string[], bearer: string) => {
  const { body } = await call(`/${version}/$batch`, bearer, { method: 'POST', body: { requests: urls.map((url, i) => ({ id: String(i + 1), method: 'GET', url })) } });
  return (body?.responses ?? []) as { id: string; status: number; body?: Record<string, unknown> }[];
};
const APNS = '/deviceManagement/applePushNotificationCertificate';
const VPP = '/deviceAppManagement/vppTokens';

describe('per-tenant data chosen by the token tid', () => {
  test('when two tenants are added, each token reads its own tenant and the log records the tid', async () => {
    graph.addTenant(CONTOSO, { apns: apnsFixture({ topic: 'com.apple.mgmt.External.contoso' }) });
    graph.addTenant(FABRIKAM, { apns: apnsFixture({ topic: 'com.apple.mgmt.External.fabrikam' }) });
    const topics = [];
    for (const tid of [CONTOSO, FABRIKAM, HOME]) topics.push((await call(`/v1.0${APNS}`, token(tid))).body?.topicIdentifier);
    expect(topics).toEqual(['com.apple.mgmt.External.contoso', 'com.apple.mgmt.External.fabrikam', graph.tenant.apns?.topicIdentifier]);
    expect(graph.requests.map((r) => r.tenantId)).toEqual([CONTOSO, FABRIKAM, HOME]);
  });

  test('when a token is for a tenant with no data, Graph answers 401 and serves nothing', async () => {
    const { status, body } = await call(`/v1.0${APNS}`, token(randomUUID()));
    expect(status).toBe(401);
    expect((body?.error as { code: string }).code).toBe('InvalidAuthenticationToken');
    expect(graph.requests.map((r) => r.resources)).toEqual([[]]);
  });

  test('when the simulator has no default tenant id, the default tenant answers any tid (single-tenant use)', async () => {
    expect((await call(`/v1.0${APNS}`, token(randomUUID(), {}, lenient), { sim: lenient })).status).toBe(200);
  });

  test('when a fault names a tenant, only that tenant is throttled', async () => {
    graph.addTenant(CONTOSO);
    graph.addFault({ resource: 'apns', status: 429, retryAfter: '1', tenantId: CONTOSO });
    expect((await call(`/v1.0${APNS}`, token(HOME))).status).toBe(200);
    expect((await call(`/v1.0${APNS}`, token(CONTOSO))).status).toBe(429);
  });

  test('when a tenant uploads, only its certificate changes and the upload records its tid', async () => {
    const contoso = graph.addTenant(CONTOSO);
    const before = JSON.stringify(graph.tenant.apns);
    graph.ignoreUploads = true; // the PATCH body is checked elsewhere; here only where it lands matters
    await call(`/v1.0${APNS}`, token(CONTOSO), { method: 'PATCH', body: { appleIdentifier: 'a@b.c', certificate: 'not a certificate' } });
    expect(graph.uploads.map((u) => u.tenantId)).toEqual([CONTOSO]);
    expect(JSON.stringify(graph.tenant.apns)).toBe(before);
    expect(contoso.apns).not.toBeNull();
  });
});

describe('permissions, as Graph and Intune answer them', () => {
  test('when an application token has no Intune role, every read is 403 naming both permissions, in a batch too', async () => {
    const bearer = token(HOME, { idtyp: 'app' });
    const { status, body } = await call(`/v1.0${APNS}`, bearer);
    expect(status).toBe(403);
    const error = body?.error as { code: string; message: string };
    expect(error.code).toBe('Forbidden');
    expect(JSON.parse(error.message)).toMatchObject({ _version: 3, Message: expect.stringMatching(/^Application is not authorized to perform this operation\. Application must have one of the following scopes: DeviceManagementServiceConfig\.Read\.All, DeviceManagementServiceConfig\.ReadWrite\.All - /) });
    expect((await batch('beta', ['/deviceManagement/depOnboardingSettings', VPP], bearer)).map((r) => r.status)).toEqual([403, 403]);
  });

  test('when an application token has Read.All, it reads but the upload and the CSR are 403', async () => {
    const bearer = token(HOME, { idtyp: 'app', roles: ['DeviceManagementServiceConfig.Read.All'] });
    expect((await call(`/v1.0${APNS}`, bearer)).status).toBe(200);
    expect((await call(`/v1.0${APNS}`, bearer, { method: 'PATCH', body: {} })).status).toBe(403);
    expect((await call(`/v1.0${APNS}/downloadApplePushNotificationCertificateSigningRequest`, bearer)).status).toBe(403);
    expect(graph.uploads).toEqual([]);
  });

  test('when an application token lacks Mail.Send, sendMail is 403 ErrorAccessDenied', async () => {
    const bearer = token(HOME, { idtyp: 'app', roles: ['DeviceManagementServiceConfig.ReadWrite.All'] });
    const { status, body } = await call('/v1.0/users/monitor@contoso.com/sendMail', bearer, { method: 'POST', body: { message: {} } });
    expect(status).toBe(403);
    expect((body?.error as { code: string }).code).toBe('ErrorAccessDenied');
    expect(graph.mails).toEqual([]);
  });

  test('when a managed-identity token carries no roles claim, it is allowed as before', async () => {
    expect((await call(`/v1.0${APNS}`, token(HOME))).status).toBe(200);
  });
});

describe('answers shaped like Graph v1.0 and beta (SPEC §2)', () => {
  test('when VPP tokens are read from v1.0, each has exactly the 11 v1.0 properties plus id, also in a batch', async () => {
    graph.tenant.vppTokens = [vppFixture({ id: 'vpp-1' })];
    const plain = (await call(`/v1.0${VPP}`, token(HOME))).body?.value as Record<string, unknown>[];
    const [item] = await batch('v1.0', [VPP], token(HOME));
    for (const value of [plain, item?.body?.value as Record<string, unknown>[]]) {
      expect(Object.keys(value[0] ?? {}).sort()).toEqual([...VPP_TOKEN_V1].sort());
    }
  });

  test('when VPP tokens are read from beta, the beta-only displayName and locationName are there', async () => {
    graph.tenant.vppTokens = [vppFixture({ displayName: 'Contoso Apps' })];
    const [token0] = (await call(`/beta${VPP}`, token(HOME))).body?.value as Record<string, unknown>[];
    expect(token0).toMatchObject({ displayName: 'Contoso Apps', locationName: 'Contoso HQ' });
  });

  test('when the APNs certificate is read from v1.0, it carries only the v1.0 properties', async () => {
    graph.tenant.apns = { ...apnsFixture(), betaOnlyProperty: 'x' };
    const { body } = await call(`/v1.0${APNS}`, token(HOME));
    expect(Object.keys(body ?? {}).filter((k) => !k.startsWith('@odata.')).sort()).toEqual([...APNS_V1].sort());
  });

  test('when a VPP token has a null expirationDateTime beside a good one, both are served as they are', async () => {
    graph.tenant.vppTokens = [vppFixture({ id: 'good', expiresAt: Date.now() + 30 * DAY }), vppFixture({ id: 'bad', expiresAt: null })];
    const value = (await call(`/v1.0${VPP}`, token(HOME))).body?.value as Record<string, unknown>[];
    expect(value.map((v) => [v.id, typeof v.expirationDateTime])).toEqual([
      ['good', 'string'],
      ['bad', 'object'],
    ]);
    expect(value[1]?.expirationDateTime).toBeNull();
  });

  test('when the tenant has no APNs certificate, it answers 404 ResourceNotFound by default, in a batch too', async () => {
    graph.tenant.apns = null;
    const { status, body } = await call(`/v1.0${APNS}`, token(HOME));
    expect([status, (body?.error as { code: string }).code]).toEqual([404, 'ResourceNotFound']);
    expect((await batch('v1.0', [APNS], token(HOME)))[0]?.status).toBe(404);
  });

  test('when the tenant has no APNs certificate and answers 204, there is no body, in a batch too', async () => {
    graph.tenant.apns = null;
    graph.tenant.apnsMissingStatus = 204;
    expect(await call(`/v1.0${APNS}`, token(HOME))).toEqual({ status: 204, body: undefined });
    const [item] = await batch('v1.0', [APNS], token(HOME));
    expect(item).toEqual({ id: '1', status: 204, headers: {} });
  });

  test('when the tenant never set one up and answers 200 with defaults, strings are null and dates are 0001-01-01', async () => {
    graph.tenant.apns = unconfiguredApnsFixture();
    const { status, body } = await call(`/v1.0${APNS}`, token(HOME));
    expect(status).toBe(200);
    expect(body).toMatchObject({ topicIdentifier: null, appleIdentifier: null, certificateSerialNumber: null, expirationDateTime: '0001-01-01T00:00:00Z' });
  });
});

// From the v1.0 CSDL: `id` plus the 15 properties of mobileThreatDefenseConnector.
const MTD_V1 = [
  'id', 'allowPartnerToCollectIOSApplicationMetadata', 'allowPartnerToCollectIOSPersonalApplicationMetadata', 'androidDeviceBlockedOnMissingPartnerData', 'androidEnabled',
  'androidMobileApplicationManagementEnabled', 'iosDeviceBlockedOnMissingPartnerData', 'iosEnabled', 'iosMobileApplicationManagementEnabled', 'lastHeartbeatDateTime',
  'microsoftDefenderForEndpointAttachEnabled', 'partnerState', 'partnerUnresponsivenessThresholdInDays', 'partnerUnsupportedOsVersionBlocked', 'windowsDeviceBlockedOnMissingPartnerData', 'windowsEnabled',
];
const NDES = '/deviceManagement/ndesConnectors';
const GOOGLE_PLAY = '/deviceManagement/androidManagedStoreAccountEnterpriseSettings';
const AUTOPILOT = '/deviceManagement/windowsAutopilotSettings';
const CONNECTOR_STATUS = '/deviceManagement?$select=connectorStatus';

describe("Intune's other connectors, shaped like Graph (SPEC §14)", () => {
  beforeEach(() => {
    Object.assign(graph.tenant, { ndesConnectors: [ndesConnectorFixture({ id: 'ndes-1' })], mtdConnectors: [mtdConnectorFixture()], googlePlay: googlePlayFixture(), autopilot: autopilotFixture(), connectorStatus: [connectorStatusFixture({ connectorName: 'chromebookLastDirectorySyncDateTime' })] });
  });

  test('when a beta-only collection or singleton is asked of v1.0, it answers 400 for that segment, in a batch too; beta answers 200', async () => {
    for (const [path, segment] of [[NDES, 'ndesConnectors'], [GOOGLE_PLAY, 'androidManagedStoreAccountEnterpriseSettings'], [AUTOPILOT, 'windowsAutopilotSettings']] as const) {
      const { status, body } = await call(`/v1.0${path}`, token(HOME));
      expect([status, (body?.error as { message: string }).message]).toEqual([400, `Resource not found for the segment '${segment}'.`]);
      expect((await call(`/beta${path}`, token(HOME))).status).toBe(200);
    }
    expect((await batch('v1.0', [NDES, GOOGLE_PLAY, AUTOPILOT], token(HOME))).map((r) => r.status)).toEqual([400, 400, 400]);
  });

  test("when deviceManagement's connectorStatus is selected, beta answers the entity with the list and v1.0 says it has no such property", async () => {
    const beta = await call(`/beta${CONNECTOR_STATUS}`, token(HOME));
    expect(beta.status).toBe(200);
    expect(Object.keys(beta.body ?? {}).filter((k) => !k.startsWith('@odata.'))).toEqual(['connectorStatus']);
    expect(beta.body?.connectorStatus).toEqual([expect.objectContaining({ connectorName: 'chromebookLastDirectorySyncDateTime', status: 'healthy' })]);
    const v1 = await call(`/v1.0${CONNECTOR_STATUS}`, token(HOME));
    expect([v1.status, (v1.body?.error as { message: string }).message]).toEqual([400, "Could not find a property named 'connectorStatus' on type 'microsoft.graph.deviceManagement'."]);
  });

  test('when a singleton is read, it is the entity itself (no value wrapper); unbound and never-synced ones carry 0001-01-01 dates', async () => {
    const play = (await call(`/beta${GOOGLE_PLAY}`, token(HOME))).body;
    expect(play).not.toHaveProperty('value');
    expect(play).toMatchObject({ bindStatus: 'notBound', lastAppSyncDateTime: '0001-01-01T00:00:00Z', lastAppSyncStatus: 'none' });
    expect((await call(`/beta${AUTOPILOT}`, token(HOME))).body).toMatchObject({ lastSyncDateTime: '0001-01-01T00:00:00Z', syncStatus: 'unknown' });
  });

  test('when MTD connectors are read from v1.0, each has exactly the v1.0 properties (no beta-only macEnabled); beta has them', async () => {
    const [v1] = (await call('/v1.0/deviceManagement/mobileThreatDefenseConnectors', token(HOME))).body?.value as Record<string, unknown>[];
    expect(Object.keys(v1 ?? {}).filter((k) => !k.startsWith('@odata.')).sort()).toEqual([...MTD_V1].sort());
    const [beta] = (await call('/beta/deviceManagement/mobileThreatDefenseConnectors', token(HOME))).body?.value as Record<string, unknown>[];
    expect(beta).toMatchObject({ macEnabled: true, macDeviceBlockedOnMissingPartnerData: false });
  });

  test('when the app has only the ServiceConfig permission, the certificate connectors, Google Play and connectorStatus answer 403 naming the Configuration permissions; MTD still reads', async () => {
    const bearer = token(HOME, { idtyp: 'app', roles: ['DeviceManagementServiceConfig.ReadWrite.All'] });
    const answers = await batch('beta', [NDES, GOOGLE_PLAY, CONNECTOR_STATUS, AUTOPILOT, '/deviceManagement/mobileThreatDefenseConnectors'], bearer);
    expect(answers.map((r) => r.status)).toEqual([403, 403, 403, 200, 200]);
    const message = JSON.parse((answers[0]?.body?.error as { message: string }).message) as { Message: string };
    expect(message.Message).toMatch(/Application must have one of the following scopes: DeviceManagementConfiguration\.Read\.All, DeviceManagementConfiguration\.ReadWrite\.All/);
  });
});

describe('the partner tenant\'s GDAP customers (tenantRelationships/delegatedAdminCustomers, SPEC §15)', () => {
  const customers = Array.from({ length: 7 }, (_, i) => delegatedAdminCustomerFixture(randomUUID(), i === 3 ? null : `Customer ${i}`));
  const app = (roles: string[]) => token(HOME, { idtyp: 'app', roles });
  beforeEach(() => {
    graph.tenant.delegatedAdminCustomers = customers.map((c) => ({ ...c, displayName: c.displayName, internalNote: 'not a v1.0 property' }));
    graph.gdapPageSize = 300;
  });

  test('when listed, each customer carries exactly the v1.0 properties (id, tenantId, displayName) with its OData type and etag', async () => {
    const { status, body } = await call('/v1.0/tenantRelationships/delegatedAdminCustomers', app(['DelegatedAdminRelationship.Read.All']));
    expect(status).toBe(200);
    const value = body?.value as Record<string, unknown>[];
    expect(value).toHaveLength(7);
    for (const c of value) expect(Object.keys(c).sort()).toEqual(['@odata.etag', '@odata.type', 'displayName', 'id', 'tenantId']);
    expect(value[3]).toMatchObject({ '@odata.type': '#microsoft.graph.delegatedAdminCustomer', displayName: null });
    expect(body?.['@odata.nextLink']).toBeUndefined();
  });

  test('when pages are smaller than the list, @odata.nextLink is an absolute URL keeping the query, and $top above 300 is refused', async () => {
    graph.gdapPageSize = 3;
    const bearer = app(['DelegatedAdminRelationship.ReadWrite.All']);
    const seen: unknown[] = [];
    let path: string | undefined = '/v1.0/tenantRelationships/delegatedAdminCustomers?$select=tenantId&$top=300';
    while (path) {
      const { status, body }: Answer = await call(path, bearer);
      expect(status).toBe(200);
      seen.push(...(body?.value as unknown[]));
      const next = body?.['@odata.nextLink'] as string | undefined;
      if (next) expect(next.startsWith(`${graph.baseUrl}/v1.0/tenantRelationships/delegatedAdminCustomers?`)).toBe(true);
      path = next?.slice(graph.baseUrl.length);
    }
    expect(seen).toEqual(customers.map((c) => ({ '@odata.type': '#microsoft.graph.delegatedAdminCustomer', '@odata.etag': expect.any(String), tenantId: c.tenantId })));
    expect((await call('/v1.0/tenantRelationships/delegatedAdminCustomers?$top=301', bearer)).status).toBe(400);
  });

  test('when the application token lacks the role, Graph answers 403 naming the permissions the API requires', async () => {
    const { status, body } = await call('/v1.0/tenantRelationships/delegatedAdminCustomers', app(['DeviceManagementServiceConfig.Read.All']));
    expect(status).toBe(403);
    expect((body?.error as { message: string }).message).toContain("API requires one of 'DelegatedAdminRelationship.Read.All, DelegatedAdminRelationship.ReadWrite.All'");
  });
});
