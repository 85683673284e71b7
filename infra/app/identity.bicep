// The user-assigned managed identity the Function App runs as (AZURE_CLIENT_ID): storage, Key Vault
// and Microsoft Graph trust this identity, never a key or a secret.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output resourceId string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
