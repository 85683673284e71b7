import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../shared/cli/main';
import { bufferIo } from '../../support/bufferIo';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// Its own file: MSAL keeps managed-identity tokens per process (module registry), so the endpoint
// must be down before any token was ever issued here.
let h: FleetHarness;
let dir: string;

beforeAll(async () => {
  h = await startFleetHarness({ tenants: 12 });
  // The managed identity endpoint refuses connections: nothing listens on its port any more.
  const gone = createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  const port = (gone.address() as { port: number }).port;
  await new Promise((r) => gone.close(r));
  h.useIdentityEnv();
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${port}/msi/token`;
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-mi-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

test('when the managed identity endpoint is down, a fleet stops after the first tenants and names the managed identity endpoint, not Entra nor Graph', async () => {
  // A pool smaller than the fleet, so that some tenants are never tried.
  const io = bufferIo({ ...h.env, IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, APNS_FLEET_CONCURRENCY: '8' }, dir);
  const code = await main(['check', '--no-notify', '--state-file', join(dir, 'state.json')], io);
  expect(code).toBe(3);
  const [first] = io.out.join('\n').split('\n');
  expect(first).toMatch(/^APNS UNKNOWN - 12 tenants: \d+ unreadable, \d+ not tried; every tenant: the managed identity endpoint failed: The managed identity endpoint \(IDENTITY_ENDPOINT\) could not be reached \(a network error/);
  // No tenant got as far as asking Entra for a token; Graph was never reached.
  expect(h.entra.requests.filter((r) => r.endpoint === 'token')).toEqual([]);
  expect(h.graph.requests).toEqual([]);
  expect(io.err.join('\n')).not.toMatch(/Graph asked to wait|Graph was unavailable|Entra/);
});
