import { createGraphGateway } from '../../../../shared/adapters/graph/graphGateway';
import { AppError } from '../../../../shared/domain/errors';
import type { IntuneGateway } from '../../../../shared/ports/intuneGateway';
import { adeFixture, apnsFixture, autopilotFixture, connectorStatusFixture, googlePlayFixture, ndesConnectorFixture, vppFixture } from '../../../../shared/simulator/tenantFixtures';
import { startTenantHarness, type TenantHarness } from '../../../support/tenantHarness';

let h: TenantHarness;
let gateway: IntuneGateway;
const ALL = ['apns', 'vpp', 'ade'] as const;
const sleeps: number[] = [];

beforeAll(async () => {
  h = await startTenantHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.graph.reset();
  h.graph.latencyMs = 0;
  sleeps.length = 0;
  h.graph.tenant.apns = apnsFixture({ expiresAt: '2027-06-01T10:00:00.1234567Z' });
  h.graph.tenant.vppTokens = [vppFixture({ id: 'vpp-1' })];
  h.graph.tenant.adeTokens = [adeFixture({ id: 'ade-1' })];
  gateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 60_000 });
});

const fakeSleepGateway = (maxRetryMs: number) =>
  createGraphGateway({
    baseUrl: h.graph.baseUrl,
    credential: h.credential(),
    maxRetryMs,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

describe('graphGateway.readTenant', () => {
  test('when the tenant is healthy, it reads all three resources in one $batch per API version, concurrently', async () => {
    h.graph.latencyMs = 200;
    const snapshot = await gateway.readTenant(ALL);
    expect(snapshot.apns).toMatchObject({ status: 'ok', value: { expirationDateTime: Date.UTC(2027, 5, 1, 10, 0, 0, 123) } });
    expect(snapshot.vpp).toMatchObject({ status: 'ok', value: [{ id: 'vpp-1', state: 'valid' }] });
    expect(snapshot.ade).toMatchObject({ status: 'ok', value: [{ id: 'ade-1' }] });
    expect(h.graph.requests.map((r) => `${r.method} ${r.path} ${r.resources.join('+')}`).sort()).toEqual([
      'POST /beta/$batch ade',
      'POST /v1.0/$batch apns+vpp',
    ]);
    const [a, b] = h.graph.requests;
    // They overlapped: one round trip of wall time, not two (the figure itself is in npm run bench).
    expect(a && b && a.startedAt < b.endedAt && b.startedAt < a.endedAt).toBe(true);
  });

  test('when a kind is not asked for, its version batch is not sent', async () => {
    const snapshot = await gateway.readTenant(['apns']);
    expect(snapshot.vpp.status).toBe('skipped');
    expect(snapshot.ade.status).toBe('skipped');
    expect(h.graph.requests.map((r) => r.path)).toEqual(['/v1.0/$batch']);
  });

  test('when the tenant has no APNs certificate (404 ResourceNotFound), it is "not configured"', async () => {
    h.graph.tenant.apns = null;
    const snapshot = await gateway.readTenant(ALL);
    expect(snapshot.apns).toEqual({ status: 'not_configured' });
    expect(snapshot.vpp.status).toBe('ok');
  });

  test('when the tenant answers 204 No Content for the certificate, it is "not configured"', async () => {
    h.graph.addFault({ resource: 'apns', status: 204 });
    const snapshot = await gateway.readTenant(ALL);
    expect(snapshot.apns).toEqual({ status: 'not_configured' });
  });

  test('when the tenant answers 200 with null strings and 0001-01-01 dates, it is "not configured", never "expired in year 1"', async () => {
    const unset = { ...apnsFixture(), topicIdentifier: null, appleIdentifier: null, certificateSerialNumber: null, expirationDateTime: '0001-01-01T00:00:00Z', lastModifiedDateTime: '0001-01-01T00:00:00Z' };
    h.graph.addFault({ resource: 'apns', status: 200, body: unset });
    const snapshot = await gateway.readTenant(ALL);
    expect(snapshot.apns).toEqual({ status: 'not_configured' });
  });

  test('when a configured certificate has no Apple ID (nullable in the v1.0 CSDL), it is read with an empty Apple ID', async () => {
    h.graph.addFault({ resource: 'apns', status: 200, body: { ...apnsFixture(), appleIdentifier: null } });
    const snapshot = await gateway.readTenant(['apns']);
    expect(snapshot.apns).toMatchObject({ status: 'ok', value: { appleIdentifier: '' } });
  });

  test('when one VPP token has a null expiry, it is reported alone and the token beside it that expires in 2 days is read', async () => {
    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
    h.graph.tenant.vppTokens = [{ ...vppFixture({ id: 'broken', organizationName: 'Fabrikam' }), expirationDateTime: null }, vppFixture({ id: 'soon', expiresAt: soon })];
    const snapshot = await gateway.readTenant(['vpp']);
    expect(snapshot.vpp).toMatchObject({ status: 'ok', value: [{ id: 'soon' }], unreadable: [{ id: 'broken', label: 'Fabrikam' }] });
    if (snapshot.vpp.status !== 'ok') throw new Error('expected ok');
    expect(snapshot.vpp.unreadable?.[0]?.error.message).toContain('expirationDateTime is missing');
  });

  test('when one certificate connector has no id and one connector status has no name, each is reported alone and its siblings are read', async () => {
    h.graph.tenant.ndesConnectors = [{ ...ndesConnectorFixture({ machineName: 'PKI-BROKEN' }), id: null }, ndesConnectorFixture({ id: 'ndes-good' })];
    h.graph.tenant.connectorStatus = [{ ...connectorStatusFixture({ connectorName: 'x' }), connectorName: null }, connectorStatusFixture({ connectorName: 'chromebookLastDirectorySyncDateTime', instanceId: 'cb-1' })];
    const snapshot = await gateway.readTenant(['certconnectors', 'connectorstatus']);
    expect(snapshot.certconnectors).toMatchObject({ status: 'ok', value: [{ id: 'ndes-good' }], unreadable: [{ id: undefined, label: 'PKI-BROKEN' }] });
    expect(snapshot.connectorstatus).toMatchObject({ status: 'ok', value: [{ connectorName: 'chromebookLastDirectorySyncDateTime', connectorInstanceId: 'cb-1' }], unreadable: [{ id: undefined }] });
  });

  test('when the singletons are read, Google Play and Autopilot parse from the entity itself and Graph\'s 0001-01-01 reads as never', async () => {
    h.graph.tenant.googlePlay = googlePlayFixture();
    h.graph.tenant.autopilot = autopilotFixture();
    const snapshot = await gateway.readTenant(['googleplay', 'autopilot']);
    expect(snapshot.googleplay).toEqual({ status: 'ok', value: { bindStatus: 'notBound', lastAppSyncStatus: 'none', lastAppSyncDateTime: null, ownerUserPrincipalName: null, ownerOrganizationName: null } });
    expect(snapshot.autopilot).toEqual({ status: 'ok', value: { lastSyncDateTime: null, syncStatus: 'unknown' } });
  });

  test('when Graph accepts the connection and never answers, the read fails as "timed out" within the per-request timeout and the retry budget', async () => {
    const { createServer } = await import('node:https');
    const { loopbackTls } = await import('../../../support/loopbackTls');
    const silent = createServer(loopbackTls(), () => undefined); // reads the request, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const gw = createGraphGateway({ baseUrl: `https://localhost:${port}`, credential: h.credential(), maxRetryMs: 0, timeoutMs: 300, sleep: async () => undefined });
      const snapshot = await gw.readTenant(ALL);
      for (const kind of ALL) {
        const outcome = snapshot[kind];
        expect(outcome.status).toBe('failed');
        expect((outcome as { error: AppError }).error.message).toMatch(/did not answer within 0 s for the (v1\.0|beta) batch \(timed out\)/);
      }
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  test('when Graph refuses connections, each batch is tried 3 times (not for the whole budget) and fails as "not reached", a cause every tenant shares', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r)); // nothing listens there any more: ECONNREFUSED
    const gw = createGraphGateway({ baseUrl: `https://localhost:${port}`, credential: h.credential(), maxRetryMs: 60_000, sleep: async (ms) => void sleeps.push(ms) });
    const snapshot = await gw.readTenant(ALL);
    const error = (snapshot.apns as { error: AppError }).error;
    expect({ code: error.code, sharedCause: error.sharedCause }).toEqual({ code: 'graph_unavailable', sharedCause: 'graph' });
    expect(error.message).toMatch(/^Microsoft Graph could not be reached for the v1\.0 batch: the connection was refused \(ECONNREFUSED\)\. Gave up after trying for \d+ s \(at most 3 tries when Graph is not reached\)\.$/);
    expect(error.hint).toMatch(/network, DNS or proxy/);
    // Two batches (v1.0 and beta), each waiting 1 s then 2 s between its three tries.
    expect(sleeps.sort()).toEqual([1000, 1000, 2000, 2000]);
  });

  test('when Graph answers 200 with a body that never ends, the read stops at 16 MB with a clear error and the connection is closed', async () => {
    const { createServer } = await import('node:https');
    const { loopbackTls } = await import('../../../support/loopbackTls');
    const chunk = Buffer.alloc(64 * 1024, ' '); // JSON whitespace: it would parse, if it ever ended
    let sent = 0;
    let open = 0;
    const endless = createServer(loopbackTls(), (_req, res) => {
      open++;
      res.on('close', () => open--);
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = () => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      const port = (endless.address() as { port: number }).port;
      const gw = createGraphGateway({ baseUrl: `https://localhost:${port}`, credential: h.credential(), maxRetryMs: 0, timeoutMs: 20_000 });
      const snapshot = await gw.readTenant(ALL);
      for (const kind of ALL) {
        const outcome = snapshot[kind] as { status: string; error: AppError };
        expect(outcome.status).toBe('failed');
        expect(outcome.error.code).toBe('graph_malformed_response');
        expect(outcome.error.message).toMatch(/^Graph's answer for the (v1\.0|beta) batch is larger than 16 MB; it was not read\.$/);
      }
      for (let i = 0; i < 200 && open > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(open).toBe(0);
      expect(sent).toBeLessThan(2 * 64 * 1024 * 1024); // two batches: each the bound plus socket buffers
    } finally {
      endless.closeAllConnections();
      await new Promise((r) => endless.close(r));
    }
  });

  test('when Graph answers 403 on every call, each resource fails with the permission to grant', async () => {
    for (const resource of ['apns', 'vpp', 'ade'] as const) h.graph.addFault({ resource, status: 403 });
    const snapshot = await gateway.readTenant(ALL);
    for (const kind of ALL) {
      const outcome = snapshot[kind];
      expect(outcome.status).toBe('failed');
      const error = (outcome as { error: AppError }).error;
      expect(error.code).toBe('graph_permission_denied');
      expect(error.message).toContain('DeviceManagementServiceConfig.Read.All');
      expect(error.hint).toContain('DeviceManagementServiceConfig.Read.All');
    }
  });

  test('when the whole batch is refused with 401, every resource fails as an auth failure', async () => {
    h.graph.addFault({ resource: 'batch', status: 401 });
    const snapshot = await gateway.readTenant(ALL);
    expect((snapshot.apns as { error: AppError }).error.code).toBe('graph_auth_failed');
  });

  test('when the token is for another audience, Graph refuses it and the read fails as auth', async () => {
    const other = createGraphGateway({ baseUrl: h.graph.baseUrl.replace('localhost', '127.0.0.1'), credential: h.credential(), maxRetryMs: 0 });
    const snapshot = await other.readTenant(['apns']);
    // The token is asked for https://127.0.0.1:<port>; the simulator only accepts its own origin.
    expect((snapshot.apns as { error: AppError }).error.code).toBe('graph_auth_failed');
  });

  test('when two 429s with Retry-After: 1 come before success, it waits as asked each time and succeeds', async () => {
    const gw = fakeSleepGateway(60_000);
    h.graph.addFault({ resource: 'apns', status: 429, retryAfter: '1', times: 2 });
    const snapshot = await gw.readTenant(ALL);
    expect(snapshot.apns.status).toBe('ok');
    expect(sleeps).toEqual([1000, 1000]);
    // the retries re-sent only the throttled item
    expect(h.graph.requests.map((r) => r.resources.join('+'))).toEqual(expect.arrayContaining(['apns', 'apns']));
  });

  test('when Retry-After is an HTTP date or absent, the wait follows it or backs off exponentially', async () => {
    const gw = fakeSleepGateway(60_000);
    h.graph.addFault({ resource: 'vpp', status: 429, retryAfter: new Date(Date.now() + 5000).toUTCString(), times: 1 });
    h.graph.addFault({ resource: 'ade', status: 429, times: 2 });
    const snapshot = await gw.readTenant(ALL);
    expect(snapshot.vpp.status).toBe('ok');
    expect(snapshot.ade.status).toBe('ok');
    expect(sleeps.some((ms) => ms > 3000 && ms <= 5000)).toBe(true); // the date
    expect(sleeps).toEqual(expect.arrayContaining([1000, 2000])); // no header: 1 s, then 2 s
  });

  test('when Graph throttles past the bound, it gives up with graph_throttled saying how long it waited', async () => {
    const gw = fakeSleepGateway(5000);
    h.graph.addFault({ resource: 'apns', status: 429, retryAfter: '2' });
    const snapshot = await gw.readTenant(['apns']);
    const error = (snapshot.apns as { error: AppError }).error;
    expect(error.code).toBe('graph_throttled');
    expect(error.message).toMatch(/Gave up after trying for 4 s \(limit APNS_GRAPH_MAX_RETRY_SECONDS=5\)/);
    expect(sleeps).toEqual([2000, 2000]);
  });

  test('when the batch itself is throttled or an item answers 503/504, they are retried', async () => {
    const gw = fakeSleepGateway(60_000);
    h.graph.addFault({ resource: 'batch', status: 429, retryAfter: '1', times: 1 });
    h.graph.addFault({ resource: 'vpp', status: 503, times: 1 });
    h.graph.addFault({ resource: 'ade', status: 504, times: 1 });
    const snapshot = await gw.readTenant(ALL);
    expect([snapshot.apns.status, snapshot.vpp.status, snapshot.ade.status]).toEqual(['ok', 'ok', 'ok']);
  });

  test('when an item body is not JSON, that resource fails as malformed and the others are fine', async () => {
    h.graph.addFault({ resource: 'vpp', status: 200, rawBody: '<html>oops</html>' });
    const snapshot = await gateway.readTenant(ALL);
    expect((snapshot.vpp as { error: AppError }).error.code).toBe('graph_malformed_response');
    expect(snapshot.apns.status).toBe('ok');
  });

  test('when the batch answer is not JSON, every resource fails as malformed, not a crash', async () => {
    h.graph.addFault({ resource: 'batch', status: 200, rawBody: 'not json' });
    const snapshot = await gateway.readTenant(['apns', 'vpp']);
    expect((snapshot.apns as { error: AppError }).error.code).toBe('graph_malformed_response');
  });

  test('when the shape is wrong or a date is invalid, the message names the field', async () => {
    h.graph.addFault({ resource: 'apns', status: 200, body: { topicIdentifier: 'com.apple.mgmt.External.x', appleIdentifier: 'a@b.c', expirationDateTime: 'next year' } });
    h.graph.addFault({ resource: 'ade', status: 200, body: { value: 'nope' } });
    const snapshot = await gateway.readTenant(ALL);
    expect((snapshot.apns as { error: AppError }).error.message).toBe(
      'Graph\'s answer for the APNs certificate could not be read: expirationDateTime "next year" is not a date-time.',
    );
    expect((snapshot.ade as { error: AppError }).error.message).toContain('value is not a list');
  });

  test.each([
    ['2027-06-01T10:00:00Z', Date.UTC(2027, 5, 1, 10)],
    ['2027-06-01T10:00:00.1Z', Date.UTC(2027, 5, 1, 10, 0, 0, 100)],
    ['2027-06-01T10:00:00.1234567Z', Date.UTC(2027, 5, 1, 10, 0, 0, 123)],
    ['2027-06-01T02:00:00-08:00', Date.UTC(2027, 5, 1, 10)],
    ['2027-06-01T15:30:00.50+05:30', Date.UTC(2027, 5, 1, 10, 0, 0, 500)],
  ])('when Graph sends the date %s, it is read exactly', async (text, expected) => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: text });
    const snapshot = await gateway.readTenant(['apns']);
    expect(snapshot.apns).toMatchObject({ status: 'ok', value: { expirationDateTime: expected } });
  });

  test('when the VPP list has a next page, it follows @odata.nextLink', async () => {
    const next = `${h.graph.baseUrl}/v1.0/deviceAppManagement/vppTokens`;
    h.graph.addFault({ resource: 'vpp', status: 200, times: 1, body: { value: [vppFixture({ id: 'p1' })], '@odata.nextLink': next } });
    const snapshot = await gateway.readTenant(['vpp']);
    expect(snapshot.vpp).toMatchObject({ status: 'ok', value: [{ id: 'p1' }, { id: 'vpp-1' }] });
  });
});

describe('graphGateway: certificate calls', () => {
  test('when the CSR is asked for, it returns the text of the request', async () => {
    await expect(gateway.downloadCsr()).resolves.toMatch(/BEGIN CERTIFICATE REQUEST/);
  });

  test('when Graph gives the CSR as bare base64, it comes back as the PEM file the Apple portal takes', async () => {
    const der = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    h.graph.addFault({ resource: 'csr', status: 200, times: 1, body: { value: der.toString('base64') } });
    const csr = await gateway.downloadCsr();
    const lines = csr.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE REQUEST-----');
    expect(lines[lines.length - 1]).toBe('-----END CERTIFICATE REQUEST-----');
    expect(lines.slice(1, -1).every((l) => l.length <= 64)).toBe(true);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64').equals(der)).toBe(true);
  });

  test('when the CSR is neither PEM nor base64, it is a malformed Graph answer, not a file for Apple', async () => {
    h.graph.addFault({ resource: 'csr', status: 200, times: 1, body: { value: '<html>not a request</html>' } });
    await expect(gateway.downloadCsr()).rejects.toMatchObject({ code: 'graph_malformed_response' });
  });

  test('when the PATCH is refused with 403, it is upload_failed naming the write permission', async () => {
    h.graph.addFault({ resource: 'apnsPatch', status: 403 });
    const error = await gateway.uploadApnsCertificate({ appleIdentifier: 'a@b.c', certificatePem: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('upload_failed');
    expect((error as AppError).message).toContain('DeviceManagementServiceConfig.ReadWrite.All');
  });

  test('when the certificate is read alone, it is parsed; a 404 is null', async () => {
    await expect(gateway.getApnsCertificate()).resolves.toMatchObject({ appleIdentifier: 'mdm-admin@contoso.com' });
    h.graph.tenant.apns = null;
    await expect(gateway.getApnsCertificate()).resolves.toBeNull();
  });
});
