import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificateValue } from '../../../shared/adapters/certificates/parseCertificateValue';
import { createGraphGateway } from '../../../shared/adapters/graph/graphGateway';
import { createFileRenewalLock } from '../../../shared/adapters/state/fileRenewalLock';
import { systemClock } from '../../../shared/ports/clock';
import { silentLogger } from '../../../shared/ports/logger';
import type { AuditRecord } from '../../../shared/ports/auditLog';
import { createAppleCertificate, type AppleCertificate } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { renewCertificate, type RenewDeps } from '../../../shared/useCases/renewCertificate';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const UUID = 'AB12CD34-5678-4901-8234-567890ABCDEF';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
let h: TenantHarness;
let dir: string;

beforeAll(async () => {
  h = await startTenantHarness();
  dir = mkdtempSync(join(tmpdir(), 'apns-lease-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`gave up waiting for ${what}`);
};

function deps(cert: AppleCertificate, stateFile: string, audit: AuditRecord[]): RenewDeps {
  // A one-second request timeout: the PATCH that Intune takes longer to apply times out on our side.
  const gateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 0, timeoutMs: 300 });
  return {
    gateway,
    source: { location: 'test', fetch: async (name) => ({ name, version: cert.serialNumber, value: cert.certPem, contentType: undefined }) },
    parseCertificate: parseCertificateValue,
    lock: createFileRenewalLock(stateFile),
    audit: { record: async (e) => void audit.push(e), latest: async () => [], latestByTenant: async () => new Map() },
    clock: systemClock,
    logger: silentLogger,
    newId: () => Math.random().toString(36).slice(2),
    runCheck: async () => ({ channels: [], deliveryFailed: false }),
  };
}

describe('renewal lease: an older certificate is never put back', () => {
  test('when a PATCH times out but Intune applies it late, the lock is held so a newer renewal cannot be overwritten by it', async () => {
    h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0C', expiresAt: Date.now() + 3 * DAY });
    const stateFile = join(dir, 'state.json');
    const audit: AuditRecord[] = [];
    const older = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 300 * DAY) });
    const newer = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 360 * DAY) });
    const options = { tenantId: 't', tenantName: 'Contoso', defaultSecretName: 'apns-certificate', secretPrefix: 'apns-certificate', actor: 'test', via: 'cli' as const, correlationId: 'c', lockTtlMs: 1500 };

    // A's PATCH: Intune applies it only after 800 ms, long after A gave up waiting (300 ms).
    h.graph.uploadDelayMs = 800;
    const a = await renewCertificate(deps(older, stateFile, audit), {}, { ...options, correlationId: 'a' });
    expect(a.ok).toBe(false);
    if (a.ok) return;
    expect(a.error.code).toBe('upload_failed');
    expect(a.error.message).toMatch(/outcome is unknown.*The renewal lock is kept until/);

    // B, with the newer certificate, may not upload while A's upload could still land.
    const early = await renewCertificate(deps(newer, stateFile, audit), {}, { ...options, correlationId: 'b1' });
    expect(!early.ok && early.error.code).toBe('renewal_in_progress');
    expect(h.graph.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1); // A's only

    // Intune applies A's late upload; after A's lease, B reads Intune afresh and uploads the newer one.
    await until(() => h.graph.uploads[0]?.applied === true, "A's late apply");
    h.graph.uploadDelayMs = 0;
    let b = await renewCertificate(deps(newer, stateFile, audit), {}, { ...options, correlationId: 'b2' });
    for (let i = 0; i < 100 && !b.ok && b.error.code === 'renewal_in_progress'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      b = await renewCertificate(deps(newer, stateFile, audit), {}, { ...options, correlationId: `b${i + 3}` });
    }
    expect(b.ok && b.code).toBe('renewed');
    expect(h.graph.uploads.map((u) => u.applied)).toEqual([true, true]);
    // Intune ends on the newer certificate: the older one was never put back over it.
    expect(h.graph.tenant.apns?.certificateSerialNumber).toBe(newer.serialNumber);
    expect(Date.parse(String(h.graph.tenant.apns?.expirationDateTime))).toBe(Math.floor(newer.notAfter.getTime() / 1000) * 1000);
  });
});
