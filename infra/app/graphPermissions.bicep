// Microsoft Graph application permissions for the Function App's managed identity, granted with
// the Microsoft Graph Bicep extension (bicepconfig.json). main.bicep decides the list, least privilege:
//   DeviceManagementServiceConfig.Read.All       monitoring only (APNS_ENABLE_RENEWAL=false)
//   DeviceManagementServiceConfig.ReadWrite.All  monitoring + renewal upload + CSR (it includes the read)
//   DeviceManagementManagedDevices.Read.All      only with APNS_GRANT_MANAGED_DEVICES_READ=true: the
//                                                alternative the v1.0 reference page lists for the APNs read
//   Mail.Send                                    only when the e-mail channel is configured
// In a fleet the identity reads no tenant itself (the multi-tenant app does): it gets Mail.Send at most.
extension microsoftGraphV1

param identityPrincipalId string
@description('Graph application permissions (app role values) to grant to the identity.')
param permissions array

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for permission in permissions: {
  principalId: identityPrincipalId
  resourceId: graph.id
  appRoleId: filter(graph.appRoles, r => r.value == permission)[0].id
}]

output granted array = permissions
