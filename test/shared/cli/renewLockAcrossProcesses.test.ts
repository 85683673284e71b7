import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUtc } from '../../../shared/domain/graphDateTime';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { runCli } from '../../support/cliProcess';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = '0DDBA11A-5678-4901-8234-567890ABCDEF';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
let h: TenantHarness;
let dir: string;

beforeAll(async () => {
  h = await startTenantHarness();
  dir = mkdtempSync(join(tmpdir(), 'apns-lease-cli-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The installed command in its own process: it exits (or is gone) before the next one starts. */
function renew(file: string, stateFile: string) {
  // A one-second request timeout: the PATCH that Intune takes longer to apply gets no answer.
  return runCli(['renew', '--file', file, '--state-file', stateFile], { env: { ...process.env, ...h.env, APNS_HTTP_TIMEOUT_SECONDS: '1' }, cwd: dir });
}

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`gave up waiting for ${what}`);
};

describe('the CLI renewal lease across processes (SPEC §9)', () => {
  test('when a renewal exits after a PATCH with no answer, a second renewal right after is refused until the lease ends, and no older certificate is put back', async () => {
    h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0C', expiresAt: Date.now() + 3 * DAY });
    const older = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 300 * DAY) });
    const newer = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 360 * DAY) });
    const olderFile = join(dir, 'older.pem');
    const newerFile = join(dir, 'newer.pem');
    writeFileSync(olderFile, older.certPem);
    writeFileSync(newerFile, newer.certPem);
    const stateFile = join(dir, 'state.json');

    // A: Intune applies its PATCH only after 4 s, long after A gave up waiting (1 s) and exited.
    h.graph.uploadDelayMs = 4000;
    const a = await renew(olderFile, stateFile);
    expect(a.code).toBe(3);
    expect(a.out).toMatch(/^Refused \(upload_failed\): The upload's outcome is unknown.*The renewal lock is kept until (\S+Z)/);
    const keptUntil = /kept until (\S+Z)/.exec(a.out)?.[1] as string;
    // The lease is in the lock file, bound past A's process.
    const lock = JSON.parse(readFileSync(`${stateFile}.renewal.lock`, 'utf8')) as { expiresAt: number; outlivesHolder?: boolean };
    expect(lock.outlivesHolder).toBe(true);
    expect(formatUtc(lock.expiresAt)).toBe(keptUntil);

    // B, right after A's process is gone, with the newer certificate: refused, saying until when.
    h.graph.uploadDelayMs = 0;
    const b = await renew(newerFile, stateFile);
    expect(b.code).toBe(1);
    expect(b.out).toMatch(/^Refused \(renewal_in_progress\): Another renewal's upload may still reach Intune: the renewal lock \S+ is held until \S+Z/);
    expect(b.out).toContain(`held until ${keptUntil}`);

    // A's upload lands late; nothing else was ever uploaded, so nothing older can overwrite anything.
    await until(() => h.graph.uploads.length === 1 && h.graph.uploads[0]?.applied === true, "A's late apply");
    await new Promise((r) => setTimeout(r, 200));
    expect(h.graph.uploads.map((u) => new X509Certificate(String(u.certificate)).serialNumber.replace(/^0+(?=.)/, ''))).toEqual([older.serialNumber]);
    expect(h.graph.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(h.graph.tenant.apns?.certificateSerialNumber).toBe(older.serialNumber);
  }, 30_000);
});
