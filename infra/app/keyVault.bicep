// The Key Vault of the renewed certificate and the channel secrets, in RBAC mode (no access
// policies): the identity reads with Key Vault Secrets User, the deployer writes with Secrets Officer
// (rbac.bicep).
param name string
param location string
param tags object
@description('Purge protection: irreversible once on (README "Teardown").')
param purgeProtection bool

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // Off by default so `azd down --purge` frees the name; the vault holds a .pem Apple lets you
    // download again and channel URLs that azd re-creates, nothing that cannot be restored. The API
    // refuses an explicit false: the property is left out unless it is turned on.
    enablePurgeProtection: purgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
