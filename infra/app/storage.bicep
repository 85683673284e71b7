// Host storage, alert state and the fleet queue. Shared-key access is off: the host and the product
// reach it with the managed identity only (AzureWebJobsStorage__* settings, rbac.bicep), and no
// connection string with a key exists anywhere.
param name string
param location string
param tags object
@description('Blob container the Flex Consumption app is deployed from (azd uploads the package there with its Entra token).')
param deploymentContainer string
@description('Queues to create (the fleet queue; the host creates its poison queue itself on the first poison message).')
param queues string[] = []

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity-based access only (AzureWebJobsStorage__*)
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true // the portal and tools use Entra ID, never a key
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    // Public endpoint, identity-only access (no keys, no SAS): a Flex Consumption app without VNet
    // integration reaches storage over its public endpoint. README "Deploy" lists the private option.
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: { enabled: true }
        file: { enabled: true }
        queue: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
      }
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource container 'containers' = {
      name: deploymentContainer
      properties: { publicAccess: 'None' }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource queue 'queues' = [for queue in queues: {
      name: queue
    }]
  }
}

output name string = storage.name
output primaryBlobEndpoint string = storage.properties.primaryEndpoints.blob
