import { Client, AuthenticationHandler, HTTPMessageHandler, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { TokenCredential } from '@azure/identity';

/** What an application asks for: every application permission granted to it on that Graph. */
export function defaultGraphScopes(baseUrl: string): string[] {
  return [`${baseUrl.replace(/\/+$/, '')}/.default`];
}

/**
 * The Graph client used by the gateway and the e-mail channel. `APNS_GRAPH_BASE_URL` sets the
 * endpoint and the token scope `<base>/.default`; the client only attaches the token to hosts it
 * knows, so the configured host goes in `customHosts` (matched by host name, without the port).
 * The library's RetryHandler is left out: the gateway bounds the total wait itself.
 */
export function createGraphClient(options: { baseUrl: string; credential: TokenCredential; scopes?: string[] }): Client {
  const base = options.baseUrl.replace(/\/+$/, '');
  // Applications ask for `<base>/.default`; a person signed in by device code asks for named scopes.
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: options.scopes ?? defaultGraphScopes(base) });
  return Client.initWithMiddleware({
    baseUrl: `${base}/`,
    customHosts: new Set([new URL(base).hostname]),
    middleware: [new AuthenticationHandler(authProvider), new TelemetryHandler(), new HTTPMessageHandler()],
  });
}
