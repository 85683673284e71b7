import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyVaultEventHandler } from '../../../functions/keyVaultSecretVersionCreated';
import { createFileProposalStore } from '../../../shared/adapters/state/fileProposalStore';
import { openStateFile } from '../../../shared/adapters/state/fileStateStore';
import { main } from '../../../shared/cli/main';
import { createTenantAccess } from '../../../shared/composition/tenantAccess';
import { loadConfig } from '../../../shared/config/loadConfig';
import { silentLogger } from '../../../shared/ports/logger';
import { recordingContext } from '../../support/functionEnv';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = 'C0FFEE00-1111-4222-8333-444455556666';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
let h: FleetHarness;
let kv: KeyVaultSimulator;
let dir: string;
let n = 0;

beforeAll(async () => {
  installLoopbackDns();
  h = await startFleetHarness({ tenants: [{ displayName: 'Contoso' }, { displayName: 'Fabrikam' }] });
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.homeTenantId });
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-renew-'));
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  for (const id of h.tenantIds) {
    const data = h.graph.tenantFor(id);
    if (data) data.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@customer.example', serialNumber: '0B', expiresAt: Date.now() + 6 * DAY });
  }
});

async function cli(args: string[]) {
  const io = bufferIo({ ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl }, dir);
  const code = await main([...args, ...(args[0] === 'renew' ? ['--state-file', join(dir, `state-${++n}.json`)] : [])], io);
  return { code, out: io.out.join('\n'), all: io.text() };
}
const patches = () => h.graph.requests.filter((r) => r.method === 'PATCH');

describe('apns-monitor renew / csr in a fleet', () => {
  test('when renew has no --tenant in a fleet of two, it is refused before anything is read', async () => {
    const before = kv.requests.length;
    const { code, all } = await cli(['renew']);
    expect(code).toBe(3);
    expect(all).toContain('this deployment watches 2 tenants; say which with --tenant ID. Nothing was read or uploaded.');
    expect(kv.requests.length).toBe(before);
    expect(h.graph.requests).toEqual([]);
    expect(h.entra.requests.filter((r) => r.endpoint === 'token')).toEqual([]);
  });

  test('when renew names a tenant, its own secret (<APNS_CERT_SECRET_NAME>-<tenantId>) is uploaded to that tenant only, and the message names it', async () => {
    const [contoso, fabrikam] = h.tenantIds as [string, string];
    kv.setSecret(`apns-certificate-${fabrikam}`, createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const { code, out } = await cli(['renew', '--tenant', fabrikam, '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { outcome: string; tenantId: string; tenantName: string };
    expect(json).toMatchObject({ outcome: 'renewed', tenantId: fabrikam, tenantName: 'Fabrikam' });
    expect(patches().map((p) => p.tenantId)).toEqual([fabrikam]);
    expect(h.graph.tenantFor(contoso)?.apns?.certificateSerialNumber).toBe('0B');
  });

  test('when a tenant is listed by domain name, its renewal secret name is refused clearly before anything is read, not retried as a Key Vault outage', async () => {
    const before = kv.requests.length;
    const io = bufferIo({ ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl, APNS_TENANTS: 'contoso.onmicrosoft.com=Contoso' }, dir);
    const code = await main(['renew', '--tenant', 'contoso.onmicrosoft.com', '--dry-run', '--json', '--state-file', join(dir, `state-${++n}.json`)], io);
    const json = JSON.parse(io.out.join('\n')) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('config_invalid');
    expect(json.error.message).toContain('"apns-certificate-contoso.onmicrosoft.com" is not a valid Key Vault secret name');
    expect(json.error.message).toContain('list the tenant by its tenant ID');
    expect(code).toBe(3);
    expect(kv.requests.length).toBe(before);
    expect(h.graph.requests).toEqual([]);
  });

  test.each([
    ['another tenant’s secret', (other: string) => `apns-certificate-${other}`, []],
    ['another tenant’s secret, with a new topic allowed', (other: string) => `apns-certificate-${other}`, ['--allow-new-topic']],
    ['the single-tenant name', () => 'apns-certificate', []],
  ])('when renew for one tenant names %s, it is refused before Key Vault is read and nothing is uploaded', async (_what, name, extra) => {
    const [contoso, fabrikam] = h.tenantIds as [string, string];
    // Fabrikam's renewed certificate, with a topic of its own: uploaded into Contoso it would break every Contoso device.
    kv.setSecret(`apns-certificate-${fabrikam}`, createAppleCertificate({ uuid: 'FAB00000-1111-4222-8333-444455556666', notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const before = kv.requests.length;
    const { code, out } = await cli(['renew', '--tenant', contoso, '--secret', name(fabrikam), ...extra]);
    expect(code).toBe(1);
    expect(out).toContain(`Refused (invalid_request): The renewal request is invalid: in a fleet, the renewal of tenant Contoso (${contoso}) reads only its own secret "apns-certificate-${contoso}"`);
    expect(kv.requests.length).toBe(before);
    expect(patches()).toEqual([]);
  });

  test('when csr has no --tenant in a fleet of two, it is refused; with it, that tenant is asked', async () => {
    expect((await cli(['csr'])).code).toBe(3);
    const fabrikam = h.tenantIds[1] as string;
    const { code, out } = await cli(['csr', '--tenant', fabrikam]);
    expect(code).toBe(0);
    expect(out).toContain('BEGIN CERTIFICATE REQUEST');
    expect(h.graph.requests.map((r) => r.tenantId)).toEqual([fabrikam]);
  });

  test('when a tenant added to the registry (not in APNS_TENANTS) has its certificate stored, the Key Vault event proposes it and an approval uploads it to that tenant only', async () => {
    const [contoso, fabrikam] = h.tenantIds as [string, string];
    const stateFile = join(dir, `state-${++n}.json`);
    const env = { ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl, APNS_TENANTS: `${contoso}=Contoso` };
    const run = async (args: string[]) => {
      const io = bufferIo(env, dir);
      const code = await main([...args, '--state-file', stateFile], io);
      return { code, out: io.out.join('\n'), all: io.text() };
    };
    expect((await run(['tenants', 'add', fabrikam, '--name', 'Fabrikam'])).code).toBe(0);
    const version = kv.setSecret(`apns-certificate-${fabrikam}`, createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const config = loadConfig(env);
    const handler = createKeyVaultEventHandler({ services: () => ({ config, logger: silentLogger, access: createTenantAccess(config, { env }), stateFile }) });
    await handler(kv.secretEvent(`apns-certificate-${fabrikam}`, version), recordingContext('keyVaultSecretVersionCreated'));
    const [stored] = await createFileProposalStore(openStateFile(stateFile)).list();
    expect(stored?.proposal).toMatchObject({ tenantId: fabrikam, secretName: `apns-certificate-${fabrikam}`, secretVersion: version });
    expect(patches()).toEqual([]);

    const approved = await run(['renewals', 'approve', stored?.proposal.id as string]);
    expect(approved.code).toBe(0);
    expect(patches().map((p) => p.tenantId)).toEqual([fabrikam]);
  });
});
