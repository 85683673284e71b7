// The Function App on Flex Consumption (Node 22) with the user-assigned identity, identity-based
// host storage, and the app settings the config schema defines (shared/config/settings.ts).
param name string
param location string
param tags object
param planId string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param appInsightsConnectionString string
param keyVaultUrl string
@description('Client ID of the multi-tenant app registration of the fleet (empty: single tenant).')
param appClientId string = ''
@description('Key Vault references of the channel secrets that are set (name → @Microsoft.KeyVault(...)).')
param secretRefs object
@description('The APNS_* settings given as parameters of main.bicep.')
param settings object

var wired = {
  // Platform and identity
  AZURE_CLIENT_ID: identityClientId // DefaultAzureCredential picks this user-assigned identity
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  NODE_OPTIONS: '--enable-source-maps' // stack traces in the logs point at the TypeScript sources
  // Wired from the resources created here
  APNS_TENANT_ID: tenant().tenantId
  APNS_STATE_CONNECTION: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
  APNS_KEY_VAULT_URL: keyVaultUrl
  APNS_APP_CLIENT_ID: appClientId
}

// Empty settings are left out: a channel is on only when its setting is present.
var given = toObject(filter(items(settings), s => !empty(s.value)), s => s.key, s => s.value)

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'site'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'functionapp,linux'
    serverFarmResourceId: planId
    managedIdentities: { userAssignedResourceIds: [ identityId ] }
    keyVaultAccessIdentityResourceId: identityId
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 40 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: { alwaysOn: false, ftpsState: 'Disabled', minTlsVersion: '1.2' }
    appSettingsKeyValuePairs: union(given, secretRefs, wired)
  }
}

output name string = site.outputs.name
