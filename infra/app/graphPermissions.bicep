// Microsoft Graph application permissions for the Function App's managed identity, granted with
// the Microsoft Graph Bicep extension (bicepconfig.json). Least privilege:
//   DeviceManagementServiceConfig.Read.All       monitoring only (enableRenewal = false)
//   DeviceManagementServiceConfig.ReadWrite.All  monitoring + renewal upload + CSR
//   Mail.Send                                    only when the e-mail channel is configured
extension microsoftGraphV1

param identityPrincipalId string
param enableRenewal bool = true
param grantMailSend bool = false

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph
var permissions = concat(
  [ enableRenewal ? 'DeviceManagementServiceConfig.ReadWrite.All' : 'DeviceManagementServiceConfig.Read.All' ],
  grantMailSend ? [ 'Mail.Send' ] : []
)

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for permission in permissions: {
  principalId: identityPrincipalId
  resourceId: graph.id
  appRoleId: filter(graph.appRoles, r => r.value == permission)[0].id
}]

output granted array = permissions
