import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificateValue } from '../../../shared/adapters/certificates/parseCertificateValue';
import { createGraphGateway } from '../../../shared/adapters/graph/graphGateway';
import { createFileRenewalLock } from '../../../shared/adapters/state/fileRenewalLock';
import { systemClock } from '../../../shared/ports/clock';
import type { IntuneGateway } from '../../../shared/ports/intuneGateway';
import { silentLogger } from '../../../shared/ports/logger';
import { createAppleCertificate, type AppleCertificate } from '../../../shared/simulator/certificates';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { renewCertificate, type RenewDeps, type RenewOptions } from '../../../shared/useCases/renewCertificate';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// SPEC §9: "dry runs never take the exclusive renewal lock" — a dry run changes nothing, so it must
// neither wait for nor hold up a real renewal (the status page's many viewers run them at will).

const DAY = 86_400_000;
const UUID = '5E6F7A8B-9C0D-4E1F-8A2B-3C4D5E6F7A8B';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const OPTIONS: RenewOptions = { tenantId: 't', tenantName: 'Contoso', defaultSecretName: 'apns-certificate', secretPrefix: 'apns-certificate', actor: 'test', via: 'http', correlationId: 'c' };
let h: TenantHarness;
let dir: string;
let stateFile: string;
let n = 0;
let renewed: AppleCertificate;

beforeAll(async () => {
  h = await startTenantHarness();
  dir = mkdtempSync(join(tmpdir(), 'apns-renew-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0D', expiresAt: Date.now() + 9 * DAY });
  renewed = createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) });
  stateFile = join(dir, `state-${++n}.json`);
});

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error(`gave up waiting for ${what}`);
};

function deps(gateway: IntuneGateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 0 })): RenewDeps {
  return {
    gateway,
    source: { location: 'test', fetch: async (name) => ({ name, version: renewed.serialNumber, value: renewed.certPem, contentType: undefined }) },
    parseCertificate: parseCertificateValue,
    lock: createFileRenewalLock(stateFile),
    audit: { record: async () => undefined, latest: async () => [], latestByTenant: async () => new Map() },
    clock: systemClock,
    logger: silentLogger,
    newId: () => Math.random().toString(36).slice(2),
    runCheck: async () => ({ channels: [], deliveryFailed: false }),
  };
}

describe('renewCertificate: dry runs and the renewal lock', () => {
  test('when another renewal holds the lock, a dry run still runs every check and answers valid', async () => {
    const held = await createFileRenewalLock(stateFile).acquire('t', 'a real renewal', 60_000);
    try {
      const result = await renewCertificate(deps(), { dryRun: true }, OPTIONS);
      expect(result.ok && result.code).toBe('valid');
      expect(h.graph.uploads).toEqual([]);
    } finally {
      await held.release();
    }
  });

  test('when a real renewal starts while a dry run is in flight, it is not refused and uploads', async () => {
    // The dry run's reads of Intune after its first one wait until the real renewal is done.
    const real = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 0 });
    let reads = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated: IntuneGateway = {
      ...real,
      async getApnsCertificate() {
        if (++reads > 1) await gate;
        return real.getApnsCertificate();
      },
    };
    let settled = false;
    const dryRun = renewCertificate(deps(gated), { dryRun: true }, { ...OPTIONS, correlationId: 'dry' }).finally(() => (settled = true));
    await until(() => settled || reads > 1, 'the dry run past its first read of Intune');
    try {
      const upload = await renewCertificate(deps(), {}, { ...OPTIONS, correlationId: 'real' });
      expect(upload.ok ? upload.code : upload.error.code).toBe('renewed');
      expect(h.graph.uploads).toHaveLength(1);
    } finally {
      open();
    }
    expect((await dryRun).ok).toBe(true);
  });

  test('when 20 dry runs run at once, every one answers valid', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => renewCertificate(deps(), { dryRun: true }, { ...OPTIONS, correlationId: `dry-${i}` })));
    expect(results.map((r) => (r.ok ? r.code : r.error.code))).toEqual(Array.from({ length: 20 }, () => 'valid'));
  });
});
