import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { startGraphSimulator, type GraphSimulator, type GraphTenant } from '../../shared/simulator/graphSimulator';
import { startIdentitySimulator, type IdentitySimulator } from '../../shared/simulator/identitySimulator';
import { loopbackTls } from './loopbackTls';

/**
 * A simulated tenant for a test file: the managed-identity endpoint (reached by the real
 * DefaultAzureCredential through IDENTITY_ENDPOINT/IDENTITY_HEADER) and the Graph simulator over
 * HTTPS. `env` holds the settings a Function App would have; `close()` in afterAll.
 */
export interface TenantHarness {
  identity: IdentitySimulator;
  graph: GraphSimulator;
  env: Record<string, string>;
  /** Sets IDENTITY_* in process.env (what the SDK reads); restored by close(). */
  useIdentityEnv(): void;
  credential(): TokenCredential;
  close(): Promise<void>;
}

export async function startTenantHarness(options: { tenant?: Partial<GraphTenant>; latencyMs?: number } = {}): Promise<TenantHarness> {
  const identity = await startIdentitySimulator();
  const graph = await startGraphSimulator({ tls: loopbackTls(), ...options });
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  const harness: TenantHarness = {
    identity,
    graph,
    env: { ...identity.env, APNS_TENANT_ID: identity.tenantId, APNS_GRAPH_BASE_URL: graph.baseUrl },
    useIdentityEnv() {
      Object.assign(process.env, identity.env);
    },
    credential() {
      harness.useIdentityEnv();
      return new DefaultAzureCredential();
    },
    async close() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await Promise.all([identity.close(), graph.close()]);
    },
  };
  return harness;
}
