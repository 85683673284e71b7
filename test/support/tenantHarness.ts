import { randomUUID } from 'node:crypto';
import { ClientAssertionCredential, DefaultAzureCredential, DeviceCodeCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { startEntraSimulator, TOKEN_EXCHANGE_AUDIENCE, type EntraSimulator, type TenantConsent } from '../../shared/simulator/entraSimulator';
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

const IDENTITY_ENV = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER'] as const;

function saveIdentityEnv(): () => void {
  const saved = Object.fromEntries(IDENTITY_ENV.map((k) => [k, process.env[k]]));
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export async function startTenantHarness(options: { tenant?: Partial<GraphTenant>; latencyMs?: number } = {}): Promise<TenantHarness> {
  const identity = await startIdentitySimulator();
  // Graph answers the identity's tenant only: a token for another tenant is refused, as in a fleet.
  const graph = await startGraphSimulator({ tls: loopbackTls(), tenantId: identity.tenantId, ...options });
  const restore = saveIdentityEnv();
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
      restore();
      await Promise.all([identity.close(), graph.close()]);
    },
  };
  return harness;
}

/** The fleet app's application permissions when every kind is monitored (SPEC §2, §14). */
export const FLEET_APP_ROLES = ['DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.Read.All'];

/** One customer tenant of a fleet. */
export interface FleetTenantOptions {
  tenantId?: string;
  /** Name in `APNS_TENANTS` and in Entra's messages (default `Customer <n>`). */
  displayName?: string;
  /** Entra's answer for the multi-tenant app (default `consented`). */
  consent?: TenantConsent;
  /**
   * Application permissions granted to the app there (default: what infra grants when every kind is
   * monitored, `DeviceManagementServiceConfig.ReadWrite.All` and `DeviceManagementConfiguration.Read.All`).
   */
  roles?: string[];
  /** Its Intune data in Graph (default: a healthy APNs certificate); null = Graph has no data for it (401). */
  graph?: Partial<GraphTenant> | null;
}

/**
 * An MSP fleet (SPEC §11): the Function App's managed identity in the home tenant, the Entra
 * simulator with the multi-tenant app whose federated credential trusts that identity, and one
 * Graph simulator answering every tenant from its own data (chosen by the token's `tid`).
 * `env` holds the fleet settings (`APNS_TENANTS`, `APNS_APP_CLIENT_ID`, `AZURE_AUTHORITY_HOST`…).
 */
export interface FleetHarness {
  identity: IdentitySimulator;
  entra: EntraSimulator;
  graph: GraphSimulator;
  /** Where the Function App and its identity live; `graph.tenant` is its data. */
  homeTenantId: string;
  /** The customer tenants, in the order given. */
  tenantIds: string[];
  env: Record<string, string>;
  /** Sets IDENTITY_* in process.env (what the SDK reads); restored by close(). */
  useIdentityEnv(): void;
  /** What a fleet uses for one customer tenant: the app's token, asserted with the managed identity's token. */
  tenantCredential(tenantId: string): TokenCredential;
  /** A person's device-code sign-in (SPEC §13), by default in the home tenant with the public client. */
  deviceCodeCredential(options?: { tenantId?: string; clientId?: string; onPrompt?: (message: string) => void }): TokenCredential;
  close(): Promise<void>;
}

export async function startFleetHarness(options: { tenants?: number | FleetTenantOptions[]; latencyMs?: number; deviceCodeIntervalSeconds?: number } = {}): Promise<FleetHarness> {
  const specs: FleetTenantOptions[] = Array.isArray(options.tenants) ? options.tenants : Array.from({ length: options.tenants ?? 3 }, () => ({}));
  const identity = await startIdentitySimulator();
  const graph = await startGraphSimulator({ tls: loopbackTls(), tenantId: identity.tenantId, latencyMs: options.latencyMs });
  const entra = await startEntraSimulator({
    tls: loopbackTls(),
    federatedCredential: { issuerTenantId: identity.tenantId, subject: identity.principalId },
    defaultResource: graph.baseUrl,
    // MSAL sleeps exactly interval × 1000 ms between polls (no floor): a short one keeps tests quick.
    deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 0.05,
  });
  entra.addTenant(identity.tenantId, { displayName: 'Home' });
  const tenantIds: string[] = [];
  const entries: string[] = [];
  specs.forEach((spec, index) => {
    const tenantId = spec.tenantId ?? randomUUID();
    const displayName = spec.displayName ?? `Customer ${index + 1}`;
    entra.addTenant(tenantId, { displayName, consent: spec.consent ?? 'consented', roles: spec.roles ?? FLEET_APP_ROLES });
    if (spec.graph !== null) graph.addTenant(tenantId, spec.graph);
    tenantIds.push(tenantId);
    entries.push(`${tenantId}=${displayName}`);
  });
  const restore = saveIdentityEnv();
  const harness: FleetHarness = {
    identity,
    entra,
    graph,
    homeTenantId: identity.tenantId,
    tenantIds,
    env: {
      ...identity.env,
      APNS_TENANT_ID: identity.tenantId,
      APNS_TENANTS: entries.join(','),
      APNS_APP_CLIENT_ID: entra.appClientId,
      APNS_PUBLIC_CLIENT_ID: entra.publicClientId,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
      APNS_GRAPH_BASE_URL: graph.baseUrl,
    },
    useIdentityEnv() {
      Object.assign(process.env, identity.env);
    },
    tenantCredential(tenantId) {
      harness.useIdentityEnv();
      const managedIdentity = new ManagedIdentityCredential();
      return new ClientAssertionCredential(
        tenantId,
        entra.appClientId,
        async () => (await managedIdentity.getToken(`${TOKEN_EXCHANGE_AUDIENCE}/.default`)).token,
        { authorityHost: entra.authorityHost, disableInstanceDiscovery: true },
      );
    },
    deviceCodeCredential({ tenantId = identity.tenantId, clientId = entra.publicClientId, onPrompt } = {}) {
      return new DeviceCodeCredential({
        tenantId,
        clientId,
        authorityHost: entra.authorityHost,
        disableInstanceDiscovery: true,
        userPromptCallback: (info) => onPrompt?.(info.message),
      });
    },
    async close() {
      restore();
      await Promise.all([identity.close(), graph.close(), entra.close()]);
    },
  };
  return harness;
}
