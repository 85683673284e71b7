import type { AccessToken, TokenCredential } from '@azure/identity';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { AppConfig, TenantRef } from '../config/loadConfig';
import { AppError } from '../domain/errors';
import { sharedCredential, type SharedCredential } from '../adapters/http/sharedCredential';
import { requestTimeoutHttpClient } from '../adapters/http/requestTimeout';
import { defaultCredentialAuth, type AuthExplainer, deviceCodeAuth, fleetAppAuth, managedIdentityAuth } from '../adapters/identity/explainers';
import { createClientAssertionGrant } from '../adapters/identity/clientAssertionGrant';

/**
 * The audience of the managed identity's token that a federated credential accepts: one per cloud
 * (Microsoft Entra workload identity federation), chosen by the cloud's sign-in host. The Bicep
 * federated credential picks the same one from the deployment's cloud (infra/app/fleetApp.bicep),
 * and the Function App gets AZURE_AUTHORITY_HOST from that cloud (infra/app/functionApp.bicep).
 */
export const TOKEN_EXCHANGE_AUDIENCES: Readonly<Record<string, string>> = {
  'login.microsoftonline.com': 'api://AzureADTokenExchange',
  'login.microsoftonline.us': 'api://AzureADTokenExchangeUSGov',
  'login.chinacloudapi.cn': 'api://AzureADTokenExchangeChina',
  'login.partner.microsoftonline.cn': 'api://AzureADTokenExchangeChina',
};

/** The token exchange audience for `AZURE_AUTHORITY_HOST`; a host that is not a Microsoft cloud's (a test's loopback Entra) gets the public cloud's. */
export function tokenExchangeAudience(authorityHost: string): string {
  return TOKEN_EXCHANGE_AUDIENCES[new URL(authorityHost).hostname.toLowerCase()] ?? 'api://AzureADTokenExchange';
}

/** Authorities MSAL knows without asking login.microsoftonline.com (SPEC §11: instance discovery). */
const MICROSOFT_AUTHORITIES = new Set(Object.keys(TOKEN_EXCHANGE_AUDIENCES));

export function needsInstanceDiscoveryOff(authorityHost: string): boolean {
  return !MICROSOFT_AUTHORITIES.has(new URL(authorityHost).hostname.toLowerCase());
}

/** How a person signs in on a laptop (`apns-monitor login` / `--device-code`). */
export interface DeviceCodeSignIn {
  /** Shows Entra's "To sign in, use a web browser to open … and enter the code …" to the person. */
  prompt(message: string): void;
  /** `renew` asks for ReadWrite; everything else reads. */
  write: boolean;
}

export interface TenantSignIn {
  credential: TokenCredential;
  /** Graph scopes to ask for: `<base>/.default` for applications, named delegated scopes for a person. */
  scopes: string[];
  auth: AuthExplainer;
}

/**
 * Who signs in where. One credential per tenant, made once and shared by every caller in the
 * process (its token is reused until it nears expiry; concurrent callers share one fetch):
 * - single tenant: `DefaultAzureCredential` (the managed identity in Azure), or a person's device code;
 * - fleet: per customer tenant, the multi-tenant app with the managed identity's token as its client
 *   assertion (the grant `ClientAssertionCredential` makes, through one client for every tenant:
 *   `createClientAssertionGrant`), so no secret exists anywhere.
 * `home` reaches the home tenant's resources (Key Vault, Storage, the e-mail sender's mailbox).
 */
export interface TenantAccess {
  home: SharedCredential;
  forTenant(tenant: TenantRef): TenantSignIn;
  /** Graph in the home tenant itself, as the home credential (the partner tenant's GDAP customers). */
  forHome(): TenantSignIn;
  /** Token requests that reached Entra or the identity endpoint, over every credential (benchmarks). */
  tokenFetches(): number;
}

export interface TenantAccessOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Reuse a credential across invocations (the Functions keep one per process). */
  home?: SharedCredential;
  deviceCode?: DeviceCodeSignIn;
}

const READ = 'DeviceManagementServiceConfig.Read.All';
const WRITE = 'DeviceManagementServiceConfig.ReadWrite.All';

/**
 * What every `@azure/identity` credential here is built with: each request to the identity
 * endpoint or to Entra is aborted after APNS_HTTP_TIMEOUT_SECONDS (so none keeps a finished run or
 * its process alive), and the SDK's own retries stay few and short (0.5 s, 1 s), well inside that
 * bound: a token that cannot be had now is for the next run, not for minutes of this one.
 */
async function identityClientOptions(config: AppConfig): Promise<{ httpClient: HttpClient; retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } }> {
  const { createDefaultHttpClient } = await import('@azure/core-rest-pipeline');
  return {
    httpClient: requestTimeoutHttpClient(createDefaultHttpClient(), config.http.timeoutMs),
    retryOptions: { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 1000 },
  };
}

export async function createHomeCredential(config: AppConfig): Promise<SharedCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  // AZURE_CLIENT_ID selects a user-assigned managed identity; @azure/identity reads it itself.
  return sharedCredential(new DefaultAzureCredential(await identityClientOptions(config)), { timeoutMs: config.http.timeoutMs });
}

export async function createTenantAccess(config: AppConfig, options: TenantAccessOptions): Promise<TenantAccess> {
  const identity = await import('@azure/identity');
  const home = options.home ?? (await createHomeCredential(config));
  const clientOptions = await identityClientOptions(config);
  const base = config.graph.baseUrl;
  const appScopes = [`${base}/.default`];
  const authorityHost = config.entra.authorityHost;
  const disableInstanceDiscovery = needsInstanceDiscoveryOff(authorityHost);
  const perTenant = new Map<string, { credential: SharedCredential; signIn: TenantSignIn }>();

  const publicClientId = config.entra.publicClientId;
  if (options.deviceCode && !publicClientId) {
    throw new AppError('config_invalid', 'APNS_PUBLIC_CLIENT_ID: is required for the device-code sign-in (the client ID of a public-client app registration; see README "Try it from your laptop").');
  }
  const deviceCodeFor = (tenant: TenantRef, signIn: DeviceCodeSignIn): SharedCredential =>
    sharedCredential(
      new identity.DeviceCodeCredential({
        tenantId: tenant.id,
        clientId: publicClientId as string,
        authorityHost,
        disableInstanceDiscovery,
        userPromptCallback: (info) => signIn.prompt(info.message),
        ...clientOptions,
      }),
      // A person needs time to open the page and type the code: the request timeout does not apply.
      { timeoutMs: 15 * 60_000 },
    );

  // The fleet's client assertion is the managed identity's token: when that fails, it is explained as
  // the managed identity's failure (the same for every tenant), not as the customer tenant's sign-in.
  const homeAuth = managedIdentityAuth();
  const audience = tokenExchangeAudience(authorityHost);
  const assertion = async (): Promise<string> => {
    let token: AccessToken | null;
    try {
      token = await home.getToken(`${audience}/.default`);
    } catch (error) {
      throw homeAuth.tokenFailure(error, "Intune (the managed identity's token that the fleet's app exchanges)");
    }
    if (!token) throw new AppError('graph_auth_failed', `The managed identity gave no token for ${audience} (the fleet sign-in needs one).`, { sharedCause: 'home_credential' });
    return token.token;
  };

  // The home credential in Graph: the managed identity in Azure, `az login` or environment credentials elsewhere.
  const homeSignIn: TenantSignIn = { credential: home, scopes: appScopes, auth: defaultCredentialAuth(options.env, () => home.lastAppId()) };
  // The fleet's one client for every customer tenant's sign-in (the tenant is named per call).
  const fleetGrant =
    config.fleet && !options.deviceCode
      ? createClientAssertionGrant({ authorityHost, clientId: config.entra.appClientId as string, assertion, timeoutMs: config.http.timeoutMs })
      : undefined;

  return {
    home,
    forHome: () => homeSignIn,
    forTenant(tenant) {
      const known = perTenant.get(tenant.id);
      if (known) return known.signIn;
      let credential: SharedCredential;
      let signIn: TenantSignIn;
      if (options.deviceCode) {
        credential = deviceCodeFor(tenant, options.deviceCode);
        const permission = options.deviceCode.write ? WRITE : READ;
        signIn = { credential, scopes: [`${base}/${permission}`], auth: deviceCodeAuth(publicClientId as string, authorityHost) };
      } else if (fleetGrant) {
        const appClientId = config.entra.appClientId as string; // loadConfig requires it in a fleet
        credential = sharedCredential(fleetGrant.forTenant(tenant.id), {
          // Two requests in a row, each bounded: the managed identity's token, then Entra's.
          timeoutMs: 2 * config.http.timeoutMs,
        });
        signIn = { credential, scopes: appScopes, auth: fleetAppAuth(tenant, appClientId, authorityHost) };
      } else {
        credential = home;
        signIn = homeSignIn;
      }
      perTenant.set(tenant.id, { credential, signIn });
      return signIn;
    },
    tokenFetches() {
      const distinct = new Set<SharedCredential>([home, ...[...perTenant.values()].map((t) => t.credential)]);
      return [...distinct].reduce((sum, c) => sum + c.fetches, 0);
    },
  };
}
