// Application Insights on the Log Analytics workspace. Declared here rather than with
// br/public:avm/res/insights/component because every version of that module outputs the connection
// string and the instrumentation key in plain text, into the deployment history of the resource
// group. The Function App reads the connection string itself (functionApp.bicep); no output has it.
param name string
param location string
param tags object
param workspaceResourceId string

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    IngestionMode: 'LogAnalytics'
    DisableIpMasking: false // client IPs are not needed to watch certificates
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

output name string = insights.name
output resourceId string = insights.id
