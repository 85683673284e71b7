import { describeNetworkError, networkErrorCode } from '../http/networkError';
import { TokenTimeoutError } from '../http/sharedCredential';

/**
 * Microsoft Entra sign-in errors, read from what the credential reports (`AADSTS<code>: …` in the
 * message), with a one-line meaning a person can act on. Never echoes the error text itself: it
 * can carry trace ids, and for some flows the client id or the user.
 */
export const AADSTS_MEANINGS: Record<string, string> = {
  '65001': 'the app has no admin consent in this tenant',
  '65002': 'consent between the client and the API was not configured (a first-party app such as Azure CLI cannot be given Intune scopes)',
  '70011': 'the requested scope is not valid for this app',
  '70021': "no federated credential of the app matches the managed identity's token (issuer, subject or audience)",
  '90002': 'the tenant does not exist (check the tenant ID)',
  '50020': 'the account is from another tenant and is not a guest in this one',
  '50034': 'the account does not exist in this tenant',
  '50053': 'the account is locked (too many failed sign-ins)',
  '50076': 'multi-factor authentication is required (Conditional Access)',
  '50079': 'the account must register for multi-factor authentication',
  '50105': 'the account is not assigned to the app (user assignment is required)',
  '50126': 'wrong user name or password',
  '53003': 'Conditional Access blocked the sign-in',
  '500011': 'the resource (Microsoft Graph URL) is not known in this tenant: check APNS_GRAPH_BASE_URL matches the cloud',
  '700016': 'the app is not in this tenant: admin consent is missing',
  '7000229': 'the app has no service principal in this tenant: admin consent is missing',
  '7000215': 'the client secret is wrong',
  '7000222': 'the client secret has expired',
  '7000218': 'the app is not a public client: turn on "Allow public client flows" in its app registration',
  '700024': 'the client assertion is outside its valid time range (check the clock)',
  '700211': "the assertion's issuer does not match the app's federated credential",
  '700212': "the assertion's audience is not the federated credential's (api://AzureADTokenExchange in the public cloud, …USGov or …China in the national clouds)",
  '70043': 'the sign-in expired (refresh token too old, or Conditional Access sign-in frequency): sign in again',
  '700082': 'the sign-in expired after a long time of inactivity: sign in again',
  '50173': 'the sign-in was revoked (password changed): sign in again',
  '70000': 'the grant was refused (an expired or already used device code)',
  '70016': 'the device code sign-in is still pending',
  '1002012': 'the scope must end with /.default for this flow',
};

/** The codes that mean a fleet tenant has not consented to the multi-tenant app (SPEC §11). */
export const CONSENT_MISSING_CODES = new Set(['700016', '7000229', '65001']);

/**
 * The AADSTS codes about the monitor's own sign-in, not the tenant: the app's federated credential
 * and the managed identity's assertion are the same for every tenant of a fleet.
 */
export const HOME_CREDENTIAL_CODES = new Set(['70021', '700211', '700212', '700024']);

export interface EntraFailure {
  /** `AADSTS700016`, or undefined when the failure carries no code (network, timeout). */
  code: string | undefined;
  /** One line, e.g. "the app is not in this tenant: admin consent is missing". */
  meaning: string;
  /** A network error code (ENOTFOUND, ECONNREFUSED…) when the authority could not be reached. */
  network: string | undefined;
  consentMissing: boolean;
  /**
   * The sign-in endpoint itself failed (network, DNS, no answer in time, no OpenID metadata): not
   * this tenant's problem, and no tenant can sign in through it until it is back.
   */
  unreachable: boolean;
  /** What happened to the endpoint when `unreachable`: "could not be reached: the connection was refused (ECONNREFUSED)". */
  problem: string | undefined;
  /** The code is about the monitor's own credential (HOME_CREDENTIAL_CODES), not the tenant. */
  homeCredential: boolean;
}

function textOf(error: unknown): string {
  const parts: string[] = [];
  let e = error as { message?: unknown; errorMessage?: unknown; errorResponse?: { error_description?: unknown; error_codes?: unknown }; cause?: unknown; errors?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.message === 'string') parts.push(e.message);
    if (typeof e.errorMessage === 'string') parts.push(e.errorMessage);
    if (typeof e.errorResponse?.error_description === 'string') parts.push(e.errorResponse.error_description);
    if (Array.isArray(e.errorResponse?.error_codes)) parts.push(e.errorResponse.error_codes.map((c) => `AADSTS${String(c)}`).join(' '));
    if (Array.isArray(e.errors)) for (const inner of e.errors) parts.push(textOf(inner));
    e = e.cause as typeof e;
  }
  return parts.join('\n');
}

function networkCodeOf(error: unknown): string | undefined {
  // Some credentials keep only the message of the network error they met.
  return networkErrorCode(error) ?? /\b(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|CERT_[A-Z_]+|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\b/.exec(textOf(error))?.[1];
}

/** What an Entra sign-in failure means. */
export function readEntraFailure(error: unknown): EntraFailure {
  const text = textOf(error);
  const code = /AADSTS(\d{5,7})/.exec(text)?.[1];
  const network = code ? undefined : networkCodeOf(error);
  const noMetadata = !code && !network && /endpoints_resolution_error/.test(text);
  // MSAL reports a failed request as `network_error` and keeps no code of its own.
  const unnamedNetwork = !code && !network && !noMetadata && /\bnetwork_error\b|Network unreachable/.test(text);
  const timedOut = !code && !network && !noMetadata && !unnamedNetwork && (error instanceof TokenTimeoutError || /timed out|timeout/i.test(text));
  let problem: string | undefined;
  if (network) problem = `could not be reached: ${describeNetworkError(network)}`;
  else if (unnamedNetwork) problem = 'could not be reached (a network error: refused, reset, or no such host)';
  else if (noMetadata) problem = 'could not be reached or gave no OpenID metadata';
  else if (timedOut) problem = 'did not answer in time (timed out; APNS_HTTP_TIMEOUT_SECONDS)';
  let meaning: string;
  if (code) meaning = AADSTS_MEANINGS[code] ?? 'see https://login.microsoftonline.com/error?code=' + code;
  else if (noMetadata) meaning = `the sign-in endpoint (AZURE_AUTHORITY_HOST) ${problem}`;
  else if (problem) meaning = `the sign-in endpoint ${problem}`;
  else if (/post_request_failed|invalid_request|invalid_client|unauthorized_client/.test(text)) {
    // MSAL keeps only the OAuth error word for some endpoints (the device-code request among them).
    const word = /\b(invalid_request|invalid_client|unauthorized_client|invalid_grant)\b/.exec(text)?.[1] ?? 'refused';
    meaning = `Entra refused the sign-in request (${word}): check the tenant ID and the app's client ID`;
  } else meaning = 'the sign-in failed without an error code';
  return {
    code: code ? `AADSTS${code}` : undefined,
    meaning,
    network,
    consentMissing: code !== undefined && CONSENT_MISSING_CODES.has(code),
    unreachable: problem !== undefined,
    problem,
    homeCredential: code !== undefined && HOME_CREDENTIAL_CODES.has(code),
  };
}
