import { AppError, type SharedCause } from '../../domain/errors';
import { describeTenant } from '../../domain/describeTenant';
import { readEntraFailure } from './authErrors';

/** Turns sign-in failures and 403s into messages for the credential in use (composition supplies it). */
export interface AuthExplainer {
  /** The token could not be obtained (AADSTS codes, network, timeout). */
  tokenFailure(error: unknown, what: string): AppError;
  /** Graph answered 403: what to grant, and to whom. */
  permissionHint(permission: string): string;
}

/** Azure CLI's well-known client id: its Microsoft Graph token carries no Intune scope. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
/** Azure PowerShell's: the same limitation. */
export const AZURE_POWERSHELL_CLIENT_ID = '1950a258-227b-4e31-a9cf-717495945fc2';

// `apns-monitor login` only checks a sign-in and keeps nothing: each command signs in with --device-code.
const LOGIN_HINT = 'Sign in as a person with --device-code on the command itself, e.g. "apns-monitor check --device-code" (a device code each time; needs APNS_PUBLIC_CLIENT_ID, see README "Try it from your laptop").';

function describe(failure: ReturnType<typeof readEntraFailure>): string {
  return failure.code ? `${failure.code}: ${failure.meaning}` : failure.meaning;
}

function authFailed(message: string, hint: string, cause: unknown, retriable: boolean, sharedCause?: SharedCause): AppError {
  return new AppError('graph_auth_failed', message, { hint, cause, retriable, ...(sharedCause ? { sharedCause } : {}) });
}

/** A failure already explained further down (the fleet's assertion: the managed identity's token). */
function explainedBelow(error: unknown): AppError | undefined {
  let e = error as { cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 6; depth++, e = e.cause as typeof e) if (e instanceof AppError) return e;
  return undefined;
}

/** Sign-in endpoints are the same for every tenant: when one cannot be reached, none can sign in. */
function entraUnreachableHint(authorityHost: string): string {
  return `Microsoft Entra's sign-in (${authorityHost}, AZURE_AUTHORITY_HOST) is the same for every tenant: check the network, DNS and proxy of this machine or Function App; the next run tries again.`;
}

/** The Function App's managed identity (single tenant, in Azure; and the fleet's client assertion). */
export function managedIdentityAuth(): AuthExplainer {
  return {
    tokenFailure(error, what) {
      const f = readEntraFailure(error);
      if (f.unreachable) {
        // The token endpoint, not Graph: say which one, so nobody goes looking at Microsoft Graph.
        return authFailed(
          `The managed identity endpoint (IDENTITY_ENDPOINT) ${f.problem ?? 'failed'}, so no access token could be had to read ${what}.`,
          "It is the Function App platform's token service: it usually recovers by itself, and the next run tries again. On a laptop IDENTITY_ENDPOINT must not be set: sign in with --device-code.",
          error,
          true,
          'identity_endpoint',
        );
      }
      return authFailed(
        `The managed identity could not get an access token to read ${what} (${describe(f)}).`,
        'Check that the managed identity (the user-assigned one named by AZURE_CLIENT_ID) is assigned to the Function App; on a laptop, sign in with --device-code instead.',
        error,
        false,
        'home_credential',
      );
    },
    permissionHint: (permission) => `Grant ${permission} to the Function App's managed identity and give admin consent (infra/ does it on "azd up"; see README "Graph permissions").`,
  };
}

/**
 * A customer tenant read through the multi-tenant app (fleet): consent problems name the tenant and
 * give the admin-consent link that fixes them.
 */
export function fleetAppAuth(tenant: { id: string; name: string }, appClientId: string, authorityHost: string): AuthExplainer {
  const consentUrl = adminConsentUrl(authorityHost, tenant.id, appClientId);
  const who = `tenant ${describeTenant(tenant.id, tenant.name)}`;
  return {
    tokenFailure(error, what) {
      // The managed identity's token (the client assertion) failed first: that is the cause.
      const below = explainedBelow(error);
      if (below) return below;
      const f = readEntraFailure(error);
      if (f.consentMissing) {
        return new AppError('graph_consent_missing', `Admin consent is missing: ${who} has not consented to the monitor's app ${appClientId} (${describe(f)}), so ${what} cannot be read.`, {
          hint: `A Global Administrator (or Privileged Role Administrator) of ${who} opens ${consentUrl} once and accepts.`,
          cause: error,
        });
      }
      if (f.unreachable) {
        // Not this tenant's problem: said without its name, as it is the same for every tenant.
        return authFailed(`Microsoft Entra's sign-in endpoint (${authorityHost}) ${f.problem ?? 'failed'}, so no tenant can be signed in to read ${what}.`, entraUnreachableHint(authorityHost), error, true, 'entra');
      }
      if (f.homeCredential) {
        return authFailed(
          `The monitor's app ${appClientId} could not sign in with the managed identity's token (${describe(f)}), so ${what} cannot be read in ${who} nor in any other tenant.`,
          "Check the app registration's federated credential: it must trust the Function App's managed identity (infra/ creates it), and the machine's clock must be right.",
          error,
          false,
          'home_credential',
        );
      }
      return authFailed(`Could not sign in to ${who} through the monitor's app ${appClientId} to read ${what} (${describe(f)}).`, `If it persists, check the app registration and ${who}'s sign-in logs.`, error, f.code === undefined);
    },
    permissionHint: (permission) => `The app has consent in ${who} but not the permission ${permission}: an administrator of ${who} opens ${consentUrl} again to consent to the app's current permissions.`,
  };
}

/** A person signed in with a device code (laptop): delegated permissions. */
export function deviceCodeAuth(publicClientId: string, authorityHost: string): AuthExplainer {
  return {
    tokenFailure(error, what) {
      const f = readEntraFailure(error);
      if (f.unreachable) {
        // Offline or no DNS: the client id is not the problem, so do not send the person to check it.
        return authFailed(`The device-code sign-in could not reach Microsoft Entra (${authorityHost}): it ${f.problem ?? 'failed'}, so ${what} cannot be read.`, 'Check the network connection, DNS and proxy of this machine, then try again.', error, true, 'entra');
      }
      const hint =
        f.code === 'AADSTS7000218'
          ? `In the app registration ${publicClientId}, set Authentication > "Allow public client flows" to Yes.`
          : `Check APNS_PUBLIC_CLIENT_ID (${publicClientId}) and that your account can sign in to this tenant.`;
      return authFailed(`The device-code sign-in failed, so ${what} cannot be read (${describe(f)}).`, hint, error, f.network !== undefined);
    },
    permissionHint: (permission) =>
      `Your account needs an Intune role that allows ${permission} (e.g. Intune Administrator), and the app registration ${publicClientId} must list the delegated permission ${permission} with consent.`,
  };
}

/**
 * `DefaultAzureCredential` on a laptop or in CI: environment credentials, Azure CLI, … The hint
 * follows the credential actually used, seen in the environment or in the token it got.
 */
export function defaultCredentialAuth(env: Readonly<Record<string, string | undefined>>, lastTokenAppId: () => string | undefined): AuthExplainer {
  const managedIdentity = Boolean(env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT);
  const servicePrincipal = Boolean(env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH);
  if (managedIdentity) return managedIdentityAuth();
  return {
    tokenFailure(error, what) {
      const f = readEntraFailure(error);
      if (servicePrincipal) {
        return authFailed(`The service principal AZURE_CLIENT_ID could not get a token for Microsoft Graph to read ${what} (${describe(f)}).`, 'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and its secret or certificate.', error, f.network !== undefined);
      }
      return authFailed(`No credential could sign in to read ${what} (${describe(f)}).`, `${LOGIN_HINT} "az login" cannot be used: its Microsoft Graph token cannot read Intune.`, error, false);
    },
    permissionHint(permission) {
      const appId = lastTokenAppId();
      if (appId === AZURE_CLI_CLIENT_ID || appId === AZURE_POWERSHELL_CLIENT_ID) {
        return `You are signed in with "az login" (or Azure PowerShell): its Microsoft Graph token cannot read Intune, whatever your role. ${LOGIN_HINT}`;
      }
      if (servicePrincipal) return `Grant the application permission ${permission} to the app AZURE_CLIENT_ID and give admin consent.`;
      return `Grant ${permission} to the identity that signed in. ${LOGIN_HINT}`;
    },
  };
}

/** `<authority>/<tenant>/adminconsent?client_id=<app>`: what a customer admin opens once (SPEC §11). */
export function adminConsentUrl(authorityHost: string, tenantId: string, appClientId: string): string {
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/adminconsent?client_id=${encodeURIComponent(appClientId)}`;
}
