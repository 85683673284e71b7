import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../../support/azurite';
import { bufferIo } from '../../support/bufferIo';
import { recordStorageRequests } from '../../support/storageRequests';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
let h: FleetHarness;
let dir: string;

beforeAll(async () => {
  // 40 customer tenants behind a Graph that takes 300 ms per request (the wall time is a bench figure).
  h = await startFleetHarness({ tenants: Array.from({ length: 40 }, (_, i) => ({ displayName: `Customer ${i + 1}`, graph: { apns: apnsFixture({ expiresAt: Date.now() + (20 + i * 5) * DAY }) } })), latencyMs: 300 });
  h.useIdentityEnv();
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-scale-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a fleet of 40 tenants behind a slow Graph', () => {
  test('when it is checked, every tenant is read with one $batch per API version and one token, and the pool overlaps them', async () => {
    const io = bufferIo({ ...h.env, APNS_FLEET_CONCURRENCY: '8' }, dir);
    const code = await main(['check', '--no-notify', '--json', '--state-file', join(dir, 's.json')], io);
    expect(code).toBe(1); // the nearest expiry is 20 days away: warning
    const json = JSON.parse(io.out.join('\n')) as { tenants: { tenantId: string; status: string }[] };
    expect(json.tenants).toHaveLength(40);
    for (const id of h.tenantIds) {
      expect(h.graph.requests.filter((r) => r.tenantId === id).map((r) => r.path).sort()).toEqual(['/beta/$batch', '/v1.0/$batch']);
    }
    const tokens = h.entra.requests.filter((r) => r.endpoint === 'token' && r.status === 200);
    expect(new Set(tokens.map((r) => r.tenant)).size).toBe(40);
    expect(tokens).toHaveLength(40);
    // One Entra round trip per tenant: no OpenID metadata first (MSAL asked for it per tenant of a non-Microsoft host).
    expect(h.entra.requests.filter((r) => r.endpoint !== 'token')).toEqual([]);
    // Bounded concurrency: requests of different tenants overlapped, never more than the pool (8) at once per API version.
    // The most v1.0 batches in flight at any instant (a sweep over start and end events).
    const events = h.graph.requests.filter((r) => r.path === '/v1.0/$batch').flatMap((r) => [[r.startedAt, 1] as const, [r.endedAt, -1] as const]);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let most = 0;
    for (const [, delta] of events) most = Math.max(most, (inFlight += delta));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });

  test('when the whole fleet is checked with its state in Table Storage, the states are read in one query (and the registry in one point read), not one request per tenant', async () => {
    const recorder = await recordStorageRequests(process.env.APNS_TEST_TABLE_CONNECTION as string);
    try {
      const io = bufferIo({ ...h.env, APNS_STATE_CONNECTION: recorder.connectionString, APNS_STATE_TABLE: uniqueTableName('fleetscale') }, dir);
      expect(await main(['check', '--json'], io)).toBe(1);
      // The states in one query, and the fleet's registry in one point read; nothing per tenant.
      const reads = recorder.requests.filter((r) => r.method === 'GET');
      expect(reads).toHaveLength(2);
      expect(reads.filter((r) => r.path.includes("$filter=RowKey eq 'state'"))).toHaveLength(1);
      expect(reads.filter((r) => r.path.includes("(PartitionKey='~fleet',RowKey='registry')"))).toHaveLength(1);
      // Each tenant's state is created once, with no read before it.
      expect(recorder.requests.filter((r) => r.method === 'POST' && !r.path.includes('Tables'))).toHaveLength(40);
    } finally {
      await recorder.close();
    }
  });
});
