import type { TokenCredential } from '@azure/identity';
import { AZURE_CLI_CLIENT_ID, type TenantConsent } from '../../../shared/simulator/entraSimulator';
import { readJwt } from '../../../shared/simulator/identitySimulator';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { FLEET_APP_ROLES, startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// The real @azure/identity credentials (MSAL Node inside) against the Entra simulator: its own file,
// since MSAL keeps the managed-identity source and its token cache per module registry.
const DAY = 86_400_000;
const TOPICS = ['com.apple.mgmt.External.a1', 'com.apple.mgmt.External.b2', 'com.apple.mgmt.External.c3'];

let h: FleetHarness;
beforeAll(async () => {
  h = await startFleetHarness({
    tenants: [
      ...TOPICS.map((topic) => ({ graph: { apns: apnsFixture({ topic, expiresAt: Date.now() + 100 * DAY }) } })),
      { displayName: 'Not installed', consent: 'appNotFound' as const },
      { displayName: 'No principal', consent: 'noServicePrincipal' as const },
      { displayName: 'No consent', consent: 'noConsent' as const },
      { displayName: 'No permission', roles: [] },
    ],
  });
});
afterAll(async () => {
  await h.close();
});

const apnsUrl = () => `${h.graph.baseUrl}/v1.0/deviceManagement/applePushNotificationCertificate`;
const graphGet = async (url: string, token: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const graphScope = () => `${h.graph.baseUrl}/.default`;
const tokenCalls = (tenant: string) => h.entra.requests.filter((r) => r.endpoint === 'token' && r.tenant === tenant);
const failureOf = async (credential: TokenCredential): Promise<Error> => {
  const error = await credential.getToken(graphScope()).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected the credential to fail');
  return error;
};

describe('client credentials with a managed-identity assertion (fleet, SPEC §11)', () => {
  test('when three consented tenants are read, each gets one token of its own and Graph answers each from its data', async () => {
    const customers = h.tenantIds.slice(0, 3);
    h.graph.reset();
    for (const [index, tenantId] of customers.entries()) {
      const credential = h.tenantCredential(tenantId);
      const first = await credential.getToken(graphScope());
      const second = await credential.getToken(graphScope()); // served from MSAL's cache
      expect(second?.token).toBe(first?.token);
      const claims = readJwt(first?.token);
      expect(claims).toMatchObject({ tid: tenantId, aud: h.graph.audience, appid: h.entra.appClientId, azp: h.entra.appClientId, idtyp: 'app', roles: FLEET_APP_ROLES });
      const { status, body } = await graphGet(apnsUrl(), first?.token ?? '');
      expect(status).toBe(200);
      expect(body.topicIdentifier).toBe(TOPICS[index]);
    }
    for (const tenantId of customers) {
      expect(tokenCalls(tenantId).map((r) => `${r.grantType} ${r.clientId} ${r.scopes.join(' ')} ${r.status}`)).toEqual([
        `client_credentials ${h.entra.appClientId} ${graphScope()} 200`,
      ]);
    }
    expect(h.graph.requests.map((r) => r.tenantId)).toEqual(customers);
    // The assertion is the managed identity's token for the exchange; MSAL caches it per process, so one serves every tenant.
    expect(h.identity.requests.map((r) => r.resource)).toEqual(['api://AzureADTokenExchange']);
    expect(h.entra.issued.map((t) => t.tenantId)).toEqual(customers);
    expect(h.entra.tokens).toEqual(expect.arrayContaining(h.entra.issued.map((t) => t.accessToken)));
  });

  test.each<[TenantConsent, string, RegExp]>([
    ['appNotFound', 'AADSTS700016', /Application with identifier '[0-9a-f-]+' was not found in the directory 'Not installed'/],
    ['noServicePrincipal', 'AADSTS7000229', /is missing service principal in the tenant/],
    ['noConsent', 'AADSTS65001', /has not consented to use the application/],
  ])('when the tenant state is %s, the credential fails with %s in its message and no token is issued', async (consent, code, meaning) => {
    const tenant = [...h.entra.tenants.values()].find((t) => t.consent === consent);
    if (!tenant) throw new Error(`no tenant in state ${consent}`);
    const error = await failureOf(h.tenantCredential(tenant.tenantId));
    expect(error.message).toContain(`${code}:`);
    expect(error.message).toMatch(meaning);
    expect(h.entra.issued.filter((t) => t.tenantId === tenant.tenantId)).toEqual([]);
    expect(tokenCalls(tenant.tenantId).at(-1)).toMatchObject({ errorCode: Number(code.slice(6)), status: consent === 'noServicePrincipal' ? 401 : 400 });
  });

  test('when the tenant does not exist, the credential fails with AADSTS90002', async () => {
    const error = await failureOf(h.tenantCredential('0badc0de-0000-4000-8000-000000000000'));
    expect(error.message).toMatch(/AADSTS90002: Tenant '0badc0de-0000-4000-8000-000000000000' not found/);
  });

  test('when the federated credential trusts another identity, the exchange fails with AADSTS70021', async () => {
    const trusted = h.entra.federatedCredential;
    h.entra.federatedCredential = { issuerTenantId: h.homeTenantId, subject: '11111111-2222-4333-8444-555555555555' };
    try {
      const error = await failureOf(h.tenantCredential(h.tenantIds[0] ?? ''));
      expect(error.message).toMatch(/AADSTS70021: No matching federated identity record found for presented assertion/);
    } finally {
      h.entra.federatedCredential = trusted;
    }
  });

  test('when the app was consented without an Intune permission, the token has no roles and Graph answers 403 naming the permission', async () => {
    const tenantId = h.tenantIds[6] ?? '';
    h.graph.addTenant(tenantId);
    const token = await h.tenantCredential(tenantId).getToken(graphScope());
    expect(readJwt(token?.token)?.roles).toBeUndefined();
    const { status, body } = await graphGet(apnsUrl(), token?.token ?? '');
    expect(status).toBe(403);
    expect(JSON.stringify(body)).toMatch(/Application must have one of the following scopes: DeviceManagementServiceConfig\.Read\.All, DeviceManagementServiceConfig\.ReadWrite\.All/);
  });
});

describe('device code for a person (SPEC §13)', () => {
  test('when the person signs in, the token arrives after one authorization_pending and the prompt shows the code', async () => {
    const prompts: string[] = [];
    const credential = h.deviceCodeCredential({ onPrompt: (message) => prompts.push(message) });
    const scope = `${h.graph.baseUrl}/DeviceManagementServiceConfig.Read.All`;
    const token = await credential.getToken(scope);
    const again = await credential.getToken(scope); // the session cache: no second sign-in
    expect(again?.token).toBe(token?.token);
    expect(prompts).toEqual([h.entra.deviceCodeMessages.at(-1)]);
    expect(prompts[0]).toMatch(/^To sign in, use a web browser to open the page https:\/\/localhost:\d+\/devicelogin and enter the code [A-Z0-9]{9} to authenticate\.$/);
    const home = h.entra.tenants.get(h.homeTenantId);
    expect(readJwt(token?.token)).toMatchObject({
      tid: h.homeTenantId,
      aud: h.graph.audience,
      appid: h.entra.publicClientId,
      idtyp: 'user',
      scp: 'DeviceManagementServiceConfig.Read.All',
      upn: home?.user.upn,
      preferred_username: home?.user.upn,
      oid: home?.user.oid,
    });
    expect(h.entra.requests.filter((r) => r.tenant === h.homeTenantId && r.endpoint !== 'openid-configuration').map((r) => `${r.endpoint} ${r.status} ${r.error ?? ''}`.trim())).toEqual([
      'devicecode 200',
      'token 400 authorization_pending',
      'token 200',
    ]);
    const { status } = await graphGet(apnsUrl(), token?.token ?? '');
    expect(status).toBe(200);
  });

  test('when the delegated token lacks the Intune scope, Graph answers 403', async () => {
    const token = await h.deviceCodeCredential().getToken(`${h.graph.baseUrl}/User.Read`);
    expect(readJwt(token?.token)?.scp).toBe('User.Read');
    expect((await graphGet(apnsUrl(), token?.token ?? '')).status).toBe(403);
  });

  test('when the token is an az login one (Azure CLI), Graph answers 403 even for the Graph .default scope', async () => {
    const token = await h.deviceCodeCredential({ clientId: AZURE_CLI_CLIENT_ID }).getToken(graphScope());
    const claims = readJwt(token?.token);
    expect(claims?.appid).toBe(AZURE_CLI_CLIENT_ID);
    expect(claims?.scp).not.toMatch(/DeviceManagement/);
    const { status, body } = await graphGet(apnsUrl(), token?.token ?? '');
    expect(status).toBe(403);
    expect((body.error as { code?: string }).code).toBe('Forbidden');
  });
});
