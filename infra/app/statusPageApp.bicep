// The app registration people sign in to for the status page (SPEC §12): the home tenant's users
// only (AzureADMyOrg), with the app role ApnsMonitor.Operator for the page's renewal actions.
// No client secret: App Service Authentication then uses the OpenID Connect implicit flow for the
// ID token, which the registration must allow (enableIdTokenIssuance).
extension microsoftGraphV1

param uniqueName string
param displayName string
@description('Default host name of the Function App (the sign-in callback lives under it).')
param hostName string
param ownerIds array = []

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph
var operatorRole = 'ApnsMonitor.Operator' // shared/adapters/functions/clientPrincipal.ts OPERATOR_ROLE
var operatorRoleId = guid(uniqueName, operatorRole) // stable across redeployments
var signInScopes = [ 'openid', 'profile', 'email' ] // what App Service Authentication asks for by default

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource signInApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  owners: { relationships: ownerIds }
  web: {
    redirectUris: [ 'https://${hostName}/.auth/login/aad/callback' ]
    implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false }
  }
  appRoles: [
    {
      id: operatorRoleId
      value: operatorRole
      displayName: 'APNs monitor operator'
      description: 'May run the renewal dry run and download the CSR from the status page.'
      allowedMemberTypes: [ 'User' ]
      isEnabled: true
    }
  ]
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [for scope in signInScopes: {
        id: filter(graph.oauth2PermissionScopes, s => s.value == scope)[0].id
        type: 'Scope'
      }]
    }
  ]
}

resource signInSp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: signInApp.appId
}

// The sign-in scopes consented for every user of the tenant, so nobody meets a consent prompt.
resource signInConsent 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = {
  clientId: signInSp.id
  resourceId: graph.id
  consentType: 'AllPrincipals'
  scope: join(signInScopes, ' ')
}

output clientId string = signInApp.appId
@description('The role a person needs for the page\'s actions (assigned to the deployer by the postprovision hook).')
output operatorRole string = operatorRole
