// App Service Authentication (Easy Auth) in front of the Function App (SPEC §12): Microsoft Entra
// sign-in, home tenant only (the tenant-specific v2.0 issuer, and the app registration is
// single-tenant). With it on, App Service sets WEBSITE_AUTH_ENABLED=True and strips forged
// x-ms-client-principal* headers, which is when the code trusts them (clientPrincipal.ts).
//
// Why requireAuthentication + excluded paths, not AllowAnonymous: every browser request that is not
// one of the function-key routes is sent to sign-in at the edge (the status page and its actions
// included, and any route added later), before any code runs. The page still refuses by itself
// without a principal of the home tenant (a second lock, and the only one under `apns-monitor serve`).
// The automation routes below are excluded from sign-in, not opened: the Functions host still demands
// a function key for them (authLevel 'function'; an Easy Auth identity does not satisfy a key
// requirement, Azure/azure-functions-host#11394), and the admin route demands the master key.
param appName string
@description('Client ID of the sign-in app registration (statusPageApp.bicep, or an existing one).')
param clientId string

// Routes called with keys by scripts and the README's commands: no browser session, no redirect.
var keyRoutes = [
  '/api/apns/status'
  '/api/apns/renew'
  '/api/apns/csr'
  '/api/apns/calendar.ics' // a subscribed calendar polls it with the function key in its URL
  '/admin/functions/checkApnsExpiry' // run the timer once with the master key (README "Deploy")
  // Event Grid's deliveries to the Event Grid triggers (Key Vault events, SPEC §16): the host demands
  // its eventgrid_extension system key (?code=), which Event Grid fetched when the subscription was made.
  '/runtime/webhooks/eventgrid'
]

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: appName
}

resource auth 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: keyRoutes
    }
    httpSettings: {
      requireHttps: true
      routes: { apiPrefix: '/.auth' }
      forwardProxy: { convention: 'NoProxy' }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          // No client secret setting: none exists (the ID token comes by the implicit flow).
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        login: { disableWWWAuthenticate: false }
      }
    }
    login: {
      // The page needs who signed in, not their tokens; Flex Consumption has no shared file system
      // for the token store either. The session cookie carries the identity.
      tokenStore: { enabled: false }
    }
  }
}
