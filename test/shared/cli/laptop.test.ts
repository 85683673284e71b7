import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const TOPIC_UUID = '5E5E5E5E-1234-4321-8888-ABCDEFABCDEF';
let h: FleetHarness;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startFleetHarness({ tenants: 0 });
  dir = mkdtempSync(join(tmpdir(), 'apns-laptop-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.entra.reset();
  h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 40 * DAY + 3_600_000, appleId: 'mdm-admin@contoso.com' });
});

/** A laptop: no managed identity, the person's home tenant, the public client of the README. */
function laptopEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    APNS_TENANT_ID: h.homeTenantId,
    APNS_TENANT_NAME: 'Contoso',
    APNS_PUBLIC_CLIENT_ID: h.env.APNS_PUBLIC_CLIENT_ID as string,
    AZURE_AUTHORITY_HOST: h.env.AZURE_AUTHORITY_HOST as string,
    APNS_GRAPH_BASE_URL: h.env.APNS_GRAPH_BASE_URL as string,
    ...over,
  };
}

async function cli(args: string[], env = laptopEnv()) {
  const io = bufferIo(env, dir);
  const code = await main(args, io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n'), all: io.text() };
}

describe('the laptop path (SPEC §13): a person signs in with a device code', () => {
  test('when login runs, the person is shown the device code, one authorization_pending later gets a delegated token, and sees what Intune answers', async () => {
    const { code, out, err } = await cli(['login']);
    expect(code).toBe(0);
    // The prompt is Entra's own text, shown on stderr (stdout stays the report).
    expect(err).toMatch(/To sign in, use a web browser to open the page \S+ and enter the code \S+ to authenticate\./);
    expect(h.entra.deviceCodeMessages).toHaveLength(1);
    expect(err).toContain(h.entra.deviceCodeMessages[0]);
    const polls = h.entra.requests.filter((r) => r.endpoint === 'token' && r.grantType?.includes('device_code'));
    expect(polls.map((r) => r.error ?? 'token')).toEqual(['authorization_pending', 'token']);
    // Delegated, least privilege: only the read scope was asked for.
    expect(h.entra.requests.find((r) => r.endpoint === 'devicecode')?.scopes).toEqual(expect.arrayContaining([`${h.graph.baseUrl}/DeviceManagementServiceConfig.Read.All`]));
    expect(out).toMatch(/^Signed in to Contoso \(.+\) as intune-admin@.+; Intune can be read\./);
    expect(out).toMatch(/The Apple MDM push certificate expires in 40 days .*Apple ID mdm-admin@contoso\.com/);
    // No managed identity was needed or tried.
    expect(h.identity.requests).toEqual([]);
  });

  test('when check runs with --device-code, it reads Intune as the person and exits with the severity', async () => {
    const { code, out } = await cli(['check', '--device-code', '--no-notify', '--state-file', join(dir, `s${++n}.json`)], laptopEnv({ APNS_MONITORED_ASSETS: 'apns,vpp,ade' }));
    expect(code).toBe(0);
    expect(out).toMatch(/^APNS OK - The Apple MDM push certificate expires in 40 days/);
    expect(h.graph.requests.map((r) => r.tenantId)).toEqual([h.homeTenantId, h.homeTenantId]);
  });

  test("when the person's token lacks DeviceManagementConfiguration.Read.All, every kind is still read, the connectors it needs are one warning naming it, and the run is not 'cannot read Intune'", async () => {
    const { code, out } = await cli(['check', '--device-code', '--no-notify', '--state-file', join(dir, `s${++n}.json`)]);
    // Intune's own 403 for the certificate connectors, Managed Google Play and deviceManagement.connectorStatus.
    expect(code).toBe(1);
    const [first] = out.split('\n');
    expect(first).toMatch(/^APNS WARNING - Microsoft Graph refused the certificate connectors, the Managed Google Play settings and Intune's connector status \(403\): the identity lacks the permission DeviceManagementConfiguration\.Read\.All\. Everything else is still watched/);
    expect(out.match(/DeviceManagementConfiguration\.Read\.All/g)?.length).toBeGreaterThanOrEqual(1);
    expect(out).toContain('Apple MDM push certificate');
    expect(out).not.toContain('cannot read Intune');
  });

  test('when renew --dry-run runs with --device-code, only the read scope is asked for (ReadWrite is for the upload)', async () => {
    const cert = createAppleCertificate({ uuid: TOPIC_UUID, notAfter: new Date(Date.now() + 400 * DAY) });
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 40 * DAY, topic: `com.apple.mgmt.External.${TOPIC_UUID}` });
    const file = join(dir, 'renewed.pem');
    writeFileSync(file, cert.certPem);
    const { code } = await cli(['renew', '--file', file, '--dry-run', '--device-code', '--state-file', join(dir, `s${++n}.json`)]);
    expect(code).toBe(0);
    const asked = h.entra.requests.filter((r) => r.endpoint === 'devicecode').flatMap((r) => r.scopes);
    expect(asked).toContain(`${h.graph.baseUrl}/DeviceManagementServiceConfig.Read.All`);
    expect(asked.some((s) => s.endsWith('ReadWrite.All'))).toBe(false);
  });

  test('when the public client is not configured, login says which setting and where the README explains it', async () => {
    const env = laptopEnv();
    delete env.APNS_PUBLIC_CLIENT_ID;
    const { code, err } = await cli(['login'], env);
    expect(code).toBe(3);
    expect(err).toMatch(/APNS_PUBLIC_CLIENT_ID: is required for the device-code sign-in .*README "Try it from your laptop"/);
  });

  test('when Entra refuses the device-code request (unknown tenant), it says so with a hint for this credential, once per place, no stack trace', async () => {
    const { code, out, err, all } = await cli(['check', '--device-code', '--no-notify', '--state-file', join(dir, `s${++n}.json`)], laptopEnv({ APNS_TENANT_ID: '11111111-2222-4333-8444-555555555555' }));
    expect(code).toBe(3);
    expect(out.split('\n')[0]).toMatch(/^APNS UNKNOWN - cannot read Intune: The device-code sign-in failed, so Intune cannot be read \(Entra refused the sign-in request \(invalid_request\): check the tenant ID and the app's client ID\)/);
    expect(all).toContain('Check APNS_PUBLIC_CLIENT_ID');
    expect(err.match(/Reading Intune failed/g)).toHaveLength(1); // one failure, said once (not once per Graph batch)
    expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('when no credential can sign in and --device-code was not given, the hint points at --device-code (not at login, whose sign-in is not kept), printed once', async () => {
    const { code, out, all } = await cli(['check', '--no-notify', '--state-file', join(dir, `s${++n}.json`)]);
    expect(code).toBe(3);
    expect(out.match(/^Hint: .*/gm)).toEqual([expect.stringContaining('"apns-monitor check --device-code"')]);
    expect(all).not.toContain('apns-monitor login');
  });

  test('when login has signed in, it says the sign-in is not kept and the next commands take --device-code', async () => {
    const { code, out } = await cli(['login']);
    expect(code).toBe(0);
    expect(out).toContain('The sign-in is not kept after this command');
    expect(out).toContain('"apns-monitor check --device-code"');
  });

  test('when az login is the credential, a 403 says that its Graph token cannot read Intune and how to sign in instead', async () => {
    const { AZURE_CLI_CLIENT_ID } = await import('../../../shared/adapters/identity/explainers');
    const { makeToken } = await import('../../../shared/simulator/identitySimulator');
    // What DefaultAzureCredential gets from `az login`: a Graph token issued to Azure CLI's client id.
    const { createTenantAccess } = await import('../../../shared/composition/tenantAccess');
    const { loadConfig } = await import('../../../shared/config/loadConfig');
    const { sharedCredential } = await import('../../../shared/adapters/http/sharedCredential');
    const { createGraphGateway } = await import('../../../shared/adapters/graph/graphGateway');
    const now = Math.floor(Date.now() / 1000);
    const azCli = { getToken: async () => ({ token: makeToken({ aud: h.graph.baseUrl, tid: h.homeTenantId, oid: 'o', appid: AZURE_CLI_CLIENT_ID, scp: 'User.Read Directory.AccessAsUser.All', iat: now, exp: now + 3600 }), expiresOnTimestamp: (now + 3600) * 1000 }) };
    const config = loadConfig(laptopEnv());
    const access = await createTenantAccess(config, { env: laptopEnv(), home: sharedCredential(azCli, { timeoutMs: 5000 }) });
    const signIn = access.forTenant(config.tenant);
    const gateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: signIn.credential, auth: signIn.auth, maxRetryMs: 0 });
    const snapshot = await gateway.readTenant(['apns']);
    const error = (snapshot.apns as { error: { code: string; hint?: string } }).error;
    expect(error.code).toBe('graph_permission_denied');
    expect(error.hint).toMatch(/You are signed in with "az login".*its Microsoft Graph token cannot read Intune.*--device-code/);
    expect(error.hint).not.toContain('apns-monitor login');
  });
});

describe('settings and hints that explain themselves', () => {
  test('when APNS_WARNING_DAYS is not a number, check exits 3 and its first stdout line is APNS UNKNOWN naming the setting', async () => {
    const { code, out } = await cli(['check', '--no-notify'], laptopEnv({ APNS_WARNING_DAYS: 'abc' }));
    expect(code).toBe(3);
    expect(out.split('\n')[0]).toMatch(/^APNS UNKNOWN - Invalid configuration: APNS_WARNING_DAYS: must be a whole number of days, got "abc"/);
  });

  test('when --settings names a file that does not exist, it is an error, not silently ignored', async () => {
    const { code, out } = await cli(['check', '--settings', join(dir, 'missing.settings.json')]);
    expect(code).toBe(3);
    expect(out).toMatch(/^APNS UNKNOWN - --settings .*missing\.settings\.json: no such file\./);
  });
});
