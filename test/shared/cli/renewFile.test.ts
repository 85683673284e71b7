import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { createAppleCertificate, toPkcs12Base64 } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { bufferIo } from '../../support/bufferIo';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const ROOT = join(__dirname, '..', '..', '..');
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

/** No Key Vault is configured: a laptop with the .pem Apple's portal gave. `stdin`: what standard input holds. */
async function renew(args: string[], stdin?: string) {
  const io = bufferIo({ ...h.env }, dir, stdin);
  const code = await main(['renew', '--state-file', join(dir, `state-${++n}.json`), ...args], io);
  return { code, out: io.out.join('\n'), all: io.text() };
}
const patches = () => h.graph.requests.filter((r) => r.method === 'PATCH');
const write = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/**
 * The CLI as a process: a file that never ends or a FIFO nobody writes must end it with a clear
 * refusal, not an out-of-memory abort or a hang (the kill after 60 s is only a safety net).
 */
function renewProcess(file: string, extra: string[] = [], stdin = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', join(ROOT, 'bin', 'apns-monitor.js'), 'renew', '--file', file, '--dry-run', '--state-file', join(dir, `state-${++n}.json`), ...extra], {
      env: { ...process.env, ...h.env },
      cwd: dir,
      timeout: 60_000,
    });
    child.stdin.end(stdin);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

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

  test('when the file does not exist, it exits 1 naming the file, with no word of Key Vault or secrets', async () => {
    const { code, out } = await renew(['--file', join(dir, 'nope.pem'), '--dry-run']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Refused \(certificate_file_unreadable\): Cannot read the certificate file .*nope\.pem: no such file\./);
    expect(out).toMatch(/✗ {2}2\. file: /);
    expect(out).not.toMatch(/secret|Key Vault/i);
    expect(h.graph.requests).toEqual([]);
  });

  test.each([
    ['a directory', () => dir, /is a directory, not a file/],
    ['larger than Key Vault would hold (25 KB)', () => write('huge.pem', Buffer.alloc(30 * 1024, 'A')), /is 30720 bytes: larger than the 25600 a renewed certificate can be/],
  ])('when the file is %s, it exits 1 with a clear refusal and reads nothing from Intune', async (_what, path, message) => {
    const { code, out } = await renew(['--file', path(), '--dry-run']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Refused \(certificate_file_unreadable\): /);
    expect(out).toMatch(message);
    expect(h.graph.requests).toEqual([]);
  });

  test.each([
    ['/dev/zero (endless)', () => '/dev/zero', /is a character device, not a file/],
    ['a FIFO nobody writes to', () => {
      const fifo = join(dir, `pipe-${++n}.pem`);
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }, /is a FIFO \(named pipe\), not a file/],
  ])('when the file is %s, the process ends with exit 1 and a clear refusal', async (_what, path, message) => {
    if (process.platform === 'win32') return; // no /dev/zero or mkfifo
    const { code, out } = await renewProcess(path());
    expect(out).toMatch(/Refused \(certificate_file_unreadable\): /);
    expect(out).toMatch(message);
    expect(code).toBe(1);
  });

  describe('a password-protected .p12', () => {
    const PASSWORD = 'c0rrect horse-battery';
    const protectedP12 = () => {
      const cert = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 377 * DAY) });
      return { cert, path: write(`protected-${++n}.p12`, Buffer.from(toPkcs12Base64(cert, { password: PASSWORD }), 'base64')) };
    };

    test('when its password comes on standard input (--password-stdin), it is opened and checked, and the password is printed nowhere', async () => {
      const { cert, path } = protectedP12();
      const { code, out, all } = await renew(['--file', path, '--dry-run', '--password-stdin'], `${PASSWORD}\n`);
      expect(code).toBe(0);
      expect(out).toContain(`serial ${cert.serialNumber}`);
      expect(all).not.toContain(PASSWORD);
    });

    test('when the CLI runs as a process with the password piped in, the dry run passes', async () => {
      const { path } = protectedP12();
      const { code, out } = await renewProcess(path, ['--password-stdin'], `${PASSWORD}\n`);
      expect(out).toMatch(/^The certificate passed every check/);
      expect(code).toBe(0);
    });

    test('when no password can be had (no --password-stdin, not a terminal), it exits 1 saying how to give one', async () => {
      const { path } = protectedP12();
      const { code, out } = await renew(['--file', path, '--dry-run']);
      expect(code).toBe(1);
      expect(out).toMatch(/^Refused \(certificate_file_unreadable\): Cannot read the certificate file .*: it is a PKCS#12 file protected by a password\.\nHint: Give the password on standard input with --password-stdin/);
    });

    test('when the password is wrong, it exits 1 saying so, and the wrong password is printed nowhere', async () => {
      const { path } = protectedP12();
      const { code, out, all } = await renew(['--file', path, '--dry-run', '--password-stdin'], 'not-it\n');
      expect(code).toBe(1);
      expect(out).toMatch(/^Refused \(certificate_unreadable\): The file is not a readable X\.509 certificate: the password given does not open this PKCS#12 file\./);
      expect(all).not.toContain('not-it');
    });

    test('when a password is typed on the command line instead, there is no such flag', async () => {
      const { path } = protectedP12();
      const { code, all } = await renew(['--file', path, '--dry-run', '--password', PASSWORD]);
      expect(code).toBe(3);
      expect(all).toContain("Unknown option '--password'");
    });
  });
});
