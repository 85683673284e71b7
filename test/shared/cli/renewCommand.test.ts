import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = '12345678-90AB-CDEF-1234-567890ABCDEF';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
let h: TenantHarness;
let kv: KeyVaultSimulator;
let dir: string;
let n = 0;

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness();
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  dir = mkdtempSync(join(tmpdir(), 'apns-renew-cli-'));
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '01', expiresAt: Date.now() + 10 * DAY });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const stateFile = join(dir, `state-${++n}.json`);
  const io = bufferIo({ ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl, ...env }, dir);
  const code = await main([...args, ...(args[0] === 'renew' ? ['--state-file', stateFile] : [])], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n'), stateFile };
}

describe('apns-monitor renew / csr', () => {
  test('when the renewed certificate is in Key Vault, renew exits 0 and shows what was checked and old → new expiry', async () => {
    const cert = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) });
    kv.setSecret('apns-certificate-2027', cert.certPem);
    const { code, out, stateFile } = await cli(['renew', '--secret', 'apns-certificate-2027']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Renewed: the certificate now expires/);
    expect(out).toMatch(/Expiry: \S+ → \S+/);
    expect(out).toMatch(/✓ {2}6\. same topic: com\.apple\.mgmt\.External\.12345678/);
    expect(out).toMatch(/✓ 13\. verified in Intune/);
    const audit = readFileSync(`${stateFile}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'renewed', via: 'cli', secretName: 'apns-certificate-2027', actor: expect.stringMatching(/\(CLI\)$/) });
    expect(existsSync(`${stateFile}.renewal.lock`)).toBe(false);
  });

  test('when the certificate has another topic, renew exits 1 and says why it refused', async () => {
    kv.setSecret('apns-certificate', createAppleCertificate({ notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const { code, out } = await cli(['renew']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Refused \(topic_mismatch\): The certificate's topic .* this is a new certificate, not a renewal/);
    expect(out).toMatch(/Hint: Renew the certificate with topic com\.apple\.mgmt\.External\.12345678/);
    expect(out).toMatch(/✗ {2}6\. same topic/);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when it is a dry run, renew exits 0 and uploads nothing', async () => {
    kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const { code, out } = await cli(['renew', '--dry-run']);
    expect(code).toBe(0);
    expect(out).toMatch(/Nothing was uploaded \(dry run\)/);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when Intune fails the upload, renew exits 3', async () => {
    kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    h.graph.addFault({ resource: 'apnsPatch', status: 502 });
    const { code, out } = await cli(['renew']);
    expect(code).toBe(3);
    expect(out).toMatch(/^Refused \(upload_failed\)/);
  });

  test('when APNS_KEY_VAULT_URL is not set, renew exits 3 naming the setting', async () => {
    const { code, err } = await cli(['renew'], { APNS_KEY_VAULT_URL: '' });
    expect(code).toBe(3);
    expect(err).toContain('APNS_KEY_VAULT_URL: is required for the renewal');
  });

  test('when csr --out is given, it writes the signing request to that file', async () => {
    const file = join(dir, 'IntuneCSR.csr');
    const { code, out } = await cli(['csr', '--out', file]);
    expect(code).toBe(0);
    expect(out).toContain(`Wrote the certificate signing request to ${file}`);
    expect(readFileSync(file, 'utf8')).toMatch(/BEGIN CERTIFICATE REQUEST/);
  });
});
