import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { createAppleCertificate, toPkcs12Base64 } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = '0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
let h: TenantHarness;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  dir = mkdtempSync(join(tmpdir(), 'apns-renew-file-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0A', expiresAt: Date.now() + 12 * DAY });
});

/** No Key Vault is configured: a laptop with the .pem Apple's portal gave. */
async function renew(args: string[]) {
  const io = bufferIo({ ...h.env }, dir);
  const code = await main(['renew', '--state-file', join(dir, `state-${++n}.json`), ...args], io);
  return { code, out: io.out.join('\n'), all: io.text() };
}
const patches = () => h.graph.requests.filter((r) => r.method === 'PATCH');
const write = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('apns-monitor renew --file (the .pem on disk, checked against Intune)', () => {
  test('when the renewed .pem is good, --dry-run exits 0, shows serial, topic, Apple ID and old → new expiry, and uploads nothing', async () => {
    const cert = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 377 * DAY) });
    const { code, out } = await renew(['--file', write('renewed.pem', cert.certPem), '--dry-run']);
    expect(code).toBe(0);
    expect(out).toMatch(/^The certificate passed every check; a renewal would upload serial [0-9A-F]+ /);
    expect(out).toContain(`serial ${cert.serialNumber}`);
    expect(out).toMatch(new RegExp(`✓ {2}6\\. same topic: ${TOPIC.replace(/\./g, '\\.')}`));
    expect(out).toMatch(/✓ {2}7\. Apple ID: mdm@contoso\.com/);
    expect(out).toMatch(/Expiry: \S+ → \S+ \(if uploaded\)/);
    expect(patches()).toEqual([]);
  });

  test('when the .pem has another topic, it exits 1, says topic, uploads nothing and prints no stack trace', async () => {
    const other = createAppleCertificate({ uuid: '99999999-8888-4777-8666-555555555555', notAfter: new Date(Date.now() + 377 * DAY) });
    const { code, out, all } = await renew(['--file', write('wrong.pem', other.certPem), '--dry-run']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Refused \(topic_mismatch\): The certificate's topic com\.apple\.mgmt\.External\.99999999-8888-4777-8666-555555555555 differs from Intune's/);
    expect(patches()).toEqual([]);
    expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test.each([
    ['DER (.cer)', 'renewed.cer', (c: ReturnType<typeof createAppleCertificate>) => Buffer.from(c.derBase64, 'base64')],
    ['PKCS#12 (.p12)', 'renewed.p12', (c: ReturnType<typeof createAppleCertificate>) => Buffer.from(toPkcs12Base64(c), 'base64')],
  ])('when the file is %s, it is read and checked the same way', async (_what, name, encode) => {
    const cert = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 377 * DAY) });
    const { code, out } = await renew(['--file', write(name, encode(cert)), '--dry-run']);
    expect(code).toBe(0);
    expect(out).toContain(`serial ${cert.serialNumber}`);
  });

  test('when --dry-run is left out, the same guarded upload runs: one PATCH, verified', async () => {
    const cert = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 377 * DAY) });
    const { code, out } = await renew(['--file', write('real.pem', cert.certPem)]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Renewed: the certificate now expires/);
    expect(patches()).toHaveLength(1);
  });

  test('when the file does not exist, it exits 1 with the path and what to give instead', async () => {
    const { code, out } = await renew(['--file', join(dir, 'nope.pem'), '--dry-run']);
    expect(code).toBe(1);
    expect(out).toMatch(/Refused \(secret_not_found\): Cannot read the certificate file .*nope\.pem \(no such file\)/);
  });
});
