// The Function App on Flex Consumption (Node 22) with the user-assigned identity, identity-based
// host storage, and the app settings the config schema defines (shared/config/settings.ts).
param name string
param planName string
param location string
param tags object
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
param vaultReferences object
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
  // The cloud's sign-in endpoint: the fleet's token exchange audience follows it (fleetApp.bicep).
  AZURE_AUTHORITY_HOST: environment().authentication.loginEndpoint
  // Wired from the resources created here
  APNS_TENANT_ID: tenant().tenantId
  APNS_STATE_CONNECTION: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
  APNS_KEY_VAULT_URL: keyVaultUrl
  APNS_APP_CLIENT_ID: appClientId
}

// Empty settings are left out: a channel (or the fleet) is on only when its setting is present.
var merged = union(settings, vaultReferences, wired)
var appSettings = toObject(filter(items(merged), s => !empty(s.value)), s => s.key, s => s.value)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true } // Linux
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId // the Key Vault references of the channel secrets
    siteConfig: {
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
    }
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
  }

  // SPEC §9: no publishing passwords. azd deploys with its Entra token; FTP and Kudu basic auth are off.
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
  }

  // Exactly this list: a setting removed from the azd environment disappears from the app, and the
  // Application Insights connection string never passes through a parameter or the deployment history.
  resource appSettingsConfig 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = site.name
output defaultHostname string = site.properties.defaultHostName
