// The fleet's multi-tenant app registration (SPEC §11): each customer tenant's admin consents to it
// once, and the Function App signs in to that tenant as this app with the managed identity's token
// as client assertion — a federated identity credential, so no secret or certificate exists.
// Shape verified against microsoftgraph/msgraph-bicep-types quickstart-templates/msi-as-a-fic-secretless.
extension microsoftGraphV1

@description('Client-provided key of the app registration (unique in the tenant; keeps redeployments idempotent).')
param uniqueName string
@description('What a customer admin sees on the consent screen and under Enterprise applications.')
param displayName string
@description('Principal (object) id of the Function App\'s user-assigned managed identity: the federated credential\'s subject.')
param identityPrincipalId string
@description('Microsoft Graph application permissions the app requires (what each customer admin consents to).')
param permissions array
@description('Object ids of the app registration\'s owners (the deployer), so they can manage it later.')
param ownerIds array = []

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph
// The managed identity's token is issued by the home tenant's v2.0 endpoint, for the token exchange
// audience of the cloud the deployment runs in. The code asks for the same audience, chosen from
// AZURE_AUTHORITY_HOST (shared/composition/tenantAccess.ts tokenExchangeAudience), which the Function
// App gets from the same environment() (functionApp.bicep).
var issuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
var tokenExchangeAudiences = {
  AzureCloud: 'api://AzureADTokenExchange'
  AzureUSGovernment: 'api://AzureADTokenExchangeUSGov'
  AzureChinaCloud: 'api://AzureADTokenExchangeChina'
}
var tokenExchangeAudience = tokenExchangeAudiences[environment().name]
var consentLandingPage = 'https://entra.microsoft.com/'

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource fleetApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMultipleOrgs'
  owners: { relationships: ownerIds }
  // Where Entra sends a customer admin after the admin-consent page (…/adminconsent?client_id=…):
  // without a registered reply address that page fails (AADSTS900971). The response carries only
  // admin_consent and tenant — no code, no token — and the admin lands in their own Entra admin center.
  web: { redirectUris: [ consentLandingPage ] }
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [for permission in permissions: {
        id: filter(graph.appRoles, r => r.value == permission)[0].id
        type: 'Role' // application permission
      }]
    }
  ]

  resource trustsManagedIdentity 'federatedIdentityCredentials@v1.0' = {
    name: '${fleetApp.uniqueName}/function-app-identity'
    description: 'The intune-apns-monitor Function App\'s user-assigned managed identity signs in as this app (no secret).'
    issuer: issuer
    subject: identityPrincipalId
    audiences: [ tokenExchangeAudience ]
  }
}

// The app's service principal in the home tenant (what Enterprise applications lists here).
resource fleetSp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: fleetApp.appId
}

output appId string = fleetApp.appId
@description('Object id of the app\'s service principal in the home tenant (what a home-tenant grant is given to).')
output servicePrincipalId string = fleetSp.id
