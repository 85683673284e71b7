// Log Analytics and Application Insights on it. Declared here rather than with the Azure Verified
// Module for Application Insights because every version of that module outputs the connection
// string and the instrumentation key in plain text, into the deployment history of the resource
// group. The Function App reads the connection string itself (functionApp.bicep); no output has it.
param logsName string
param insightsName string
param location string
param tags object

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    features: { enableLogAccessUsingOnlyResourcePermissions: true }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    IngestionMode: 'LogAnalytics'
    DisableIpMasking: false // client IPs are not needed to watch certificates
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

output insightsName string = insights.name
output insightsId string = insights.id
