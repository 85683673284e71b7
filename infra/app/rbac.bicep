// Role assignments of the Function App's identity (and optionally the deployer), least privilege.
//
// Key Vault Secrets User stays at vault scope, on purpose: the vault is this app's alone, and the
// secrets the renewal reads do not exist at deployment time — a person stores them later, named by
// APNS_CERT_SECRET_NAME, one per tenant in a fleet (<name>-<tenantId>), or named in the request. A
// role assignment can only be scoped to a secret that exists, and a placeholder created here would
// become the latest version again on every `azd provision`. The code reads only names under
// APNS_CERT_SECRET_NAME's prefix (never the channel secrets), and per-secret assignments on the
// channel secrets alone would add nothing while the vault-scope assignment exists.
param storageAccountName string
param vaultName string
@description('Name of the Function App\'s user-assigned identity (the role assignments\' names derive from its resource id, known before deployment).')
param identityName string
param deployerPrincipalId string = ''
@description('Kind of principal that deploys: User for a person running azd, ServicePrincipal for azd in CI.')
@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param deployerPrincipalType string = 'User'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host storage and the deployment package
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // alert state, renewal lock, audit
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // the fleet queue apns-tenant-checks (+ its poison queue), host internals
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // read the renewed certificate and channel secrets
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // the deployer stores the renewed .pem
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.storageBlobDataOwner, roles.storageTableDataContributor, roles.storageQueueDataContributor]: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource vaultOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}
