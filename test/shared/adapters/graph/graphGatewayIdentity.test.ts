import { createGraphGateway } from '../../../../shared/adapters/graph/graphGateway';
import type { AppError } from '../../../../shared/domain/errors';
import { startTenantHarness, type TenantHarness } from '../../../support/tenantHarness';

// Its own file: MSAL keeps the managed-identity source and tokens per process (per module registry).
let h: TenantHarness;
beforeAll(async () => {
  h = await startTenantHarness();
});
afterAll(async () => {
  await h.close();
});

test('when the managed-identity endpoint refuses, the read fails as auth with an actionable hint and no token', async () => {
  h.identity.failNext(400, 10); // 400 is not retried by MSAL (a 500 would be, for ~20 s)
  const gateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 0 });
  const snapshot = await gateway.readTenant(['apns', 'vpp', 'ade']);
  const error = (snapshot.apns as { error: AppError }).error;
  expect(error.code).toBe('graph_auth_failed');
  expect(error.message).toMatch(/^The managed identity could not get an access token to read Intune/);
  expect(error.hint).toMatch(/managed identity/);
  expect(JSON.stringify({ m: error.message, h: error.hint })).not.toMatch(/eyJ|Bearer|X-IDENTITY|[0-9a-f]{32}/i);
  expect(h.graph.requests).toEqual([]); // nothing reached Graph without a token
});

test('when the managed-identity endpoint answers, the token it issued is the one Graph sees', async () => {
  h.identity.failNext(400, 0);
  const gateway = createGraphGateway({ baseUrl: h.graph.baseUrl, credential: h.credential(), maxRetryMs: 0 });
  const snapshot = await gateway.readTenant(['apns']);
  expect(snapshot.apns.status).toBe('ok');
  expect(h.identity.requests.at(-1)?.resource).toBe(h.graph.baseUrl);
});
