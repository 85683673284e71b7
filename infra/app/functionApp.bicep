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
@description('Name of the Application Insights component: its connection string is read here, never passed through a parameter or an output.')
param appInsightsName string
param keyVaultUrl string
@description('Client ID of the multi-tenant app registration of the fleet (empty: single tenant).')
param appClientId string = ''
@description('Key Vault references of the channel secrets that are set (name → @Microsoft.KeyVault(...)).')
param secretRefs object
@description('The APNS_* settings given as parameters of main.bicep.')
param settings object

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var wired = {
  // Platform and identity
  AZURE_CLIENT_ID: identityClientId // DefaultAzureCredential picks this user-assigned identity
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
  NODE_OPTIONS: '--enable-source-maps' // stack traces in the logs point at the TypeScript sources
  // Wired from the resources created here
  APNS_TENANT_ID: tenant().tenantId
  APNS_STATE_CONNECTION: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
  APNS_KEY_VAULT_URL: keyVaultUrl
  APNS_APP_CLIENT_ID: appClientId
}

// Empty settings are left out: a channel (or the fleet) is on only when its setting is present.
var merged = union(settings, secretRefs, wired)
var appSettings = toObject(filter(items(merged), s => !empty(s.value)), s => s.key, s => s.value)

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
    clientAffinityEnabled: false
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
    // SPEC §9: no publishing passwords. azd deploys with its Entra token; FTP and Kudu basic auth are off.
    basicPublishingCredentialsPolicies: [
      { name: 'ftp', allow: false }
      { name: 'scm', allow: false }
    ]
  }
}

resource siteRef 'Microsoft.Web/sites@2024-04-01' existing = {
  name: name
}

// The app settings are written here rather than through the AVM module's appSettingsKeyValuePairs:
// that module merges the app's current settings (a setting removed from the azd environment would
// stay on the app forever) and passes them, with the Application Insights connection string, as a
// parameter recorded in the deployment history. Here the settings are exactly this list.
resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: siteRef
  name: 'appsettings'
  properties: appSettings
  dependsOn: [ site ]
}

output name string = site.outputs.name
output defaultHostname string = site.outputs.defaultHostname
