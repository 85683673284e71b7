// intune-apns-monitor: Flex Consumption Function App (Node 22) with a user-assigned identity,
// identity-based storage (shared keys off), Key Vault (RBAC), Application Insights + Log Analytics,
// the Graph application permissions, and Azure Monitor alerts. Deployed by `azd up`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource (one that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user: gets Key Vault Secrets Officer to store the renewed certificate. Empty to skip.')
param principalId string = ''

@description('Grant the Graph application permissions to the identity (needs Privileged Role Administrator or Application Administrator + AppRoleAssignment.ReadWrite.All). Set false and run the grant by hand if you cannot.')
param grantGraphPermissions string = 'true'

@description('Also grant DeviceManagementServiceConfig.ReadWrite.All for the renewal upload and the CSR. False grants only DeviceManagementServiceConfig.Read.All (monitoring only).')
param enableRenewal string = 'true'

@description('E-mail address of the action group that receives the Azure Monitor alerts (days remaining, missing heartbeat). Empty: no e-mail receiver.')
param alertEmail string = ''

// ---- App settings (one per setting of shared/config/settings.ts, same defaults) ----
param apnsTenantName string = ''
param apnsGraphBaseUrl string = 'https://graph.microsoft.com'
param apnsGraphMaxRetrySeconds string = '60'
param apnsHttpTimeoutSeconds string = '30'
param apnsMonitoredAssets string = 'apns,vpp,ade'
param apnsCheckSchedule string = '0 0 8 * * *'
param apnsTenants string = ''
param apnsFleetConcurrency string = '8'
param apnsNoticeDays string = '60'
param apnsWarningDays string = '30'
param apnsCriticalDays string = '7'
param apnsRepeatHoursWarning string = '168'
param apnsRepeatHoursCritical string = '24'
param apnsStateTable string = 'apnsmonitor'
@secure()
param apnsTeamsWebhookUrl string = ''
param apnsTeamsMinSeverity string = 'notice'
@secure()
param apnsSlackWebhookUrl string = ''
param apnsSlackMinSeverity string = 'notice'
param apnsEmailFrom string = ''
param apnsEmailTo string = ''
param apnsEmailMinSeverity string = 'notice'
@secure()
param apnsPagerdutyRoutingKey string = ''
param apnsPagerdutyEventsUrl string = 'https://events.pagerduty.com/v2/enqueue'
param apnsPagerdutyMinSeverity string = 'warning'
@secure()
param apnsWebhookUrl string = ''
@secure()
param apnsWebhookSecret string = ''
param apnsWebhookMinSeverity string = 'notice'
param apnsDeliveryAttempts string = '3'
param apnsCertSecretName string = 'apns-certificate'

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var names = {
  rg: 'rg-${environmentName}'
  identity: 'id-apns-${token}'
  storage: 'stapns${take(token, 16)}'
  plan: 'plan-apns-${token}'
  app: 'func-apns-${token}'
  logs: 'log-apns-${token}'
  insights: 'appi-apns-${token}'
  vault: 'kv-apns-${take(token, 13)}'
}
var deploymentContainer = 'app-package-${take(token, 20)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.rg
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: { name: names.identity, location: location, tags: tags }
}

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity-based access only (AzureWebJobsStorage__*)
    minimumTlsVersion: 'TLS1_2'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
    blobServices: { containers: [ { name: deploymentContainer } ] }
  }
}

module logs 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logs'
  scope: rg
  params: { name: names.logs, location: location, tags: tags, dataRetention: 30 }
}

module insights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'insights'
  scope: rg
  params: { name: names.insights, location: location, tags: tags, workspaceResourceId: logs.outputs.resourceId }
}

module vault 'br/public:avm/res/key-vault/vault:0.12.1' = {
  name: 'vault'
  scope: rg
  params: {
    name: names.vault
    location: location
    tags: tags
    enableRbacAuthorization: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
    sku: 'standard'
  }
}

// Channel secrets live in Key Vault; the app settings are Key Vault references.
module channelSecrets 'app/channelSecrets.bicep' = {
  name: 'channelSecrets'
  scope: rg
  params: {
    vaultName: vault.outputs.name
    teamsWebhookUrl: apnsTeamsWebhookUrl
    slackWebhookUrl: apnsSlackWebhookUrl
    pagerdutyRoutingKey: apnsPagerdutyRoutingKey
    webhookUrl: apnsWebhookUrl
    webhookSecret: apnsWebhookSecret
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: names.plan
    location: location
    tags: tags
    sku: { name: 'FC1', tier: 'FlexConsumption' }
    reserved: true
  }
}

module app 'app/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: names.app
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.primaryBlobEndpoint}${deploymentContainer}'
    appInsightsConnectionString: insights.outputs.connectionString
    keyVaultUrl: vault.outputs.uri
    secretRefs: channelSecrets.outputs.references
    settings: {
      APNS_TENANT_NAME: apnsTenantName
      APNS_GRAPH_BASE_URL: apnsGraphBaseUrl
      APNS_GRAPH_MAX_RETRY_SECONDS: apnsGraphMaxRetrySeconds
      APNS_HTTP_TIMEOUT_SECONDS: apnsHttpTimeoutSeconds
      APNS_MONITORED_ASSETS: apnsMonitoredAssets
      APNS_CHECK_SCHEDULE: apnsCheckSchedule
      APNS_TENANTS: apnsTenants
      APNS_FLEET_CONCURRENCY: apnsFleetConcurrency
      APNS_NOTICE_DAYS: apnsNoticeDays
      APNS_WARNING_DAYS: apnsWarningDays
      APNS_CRITICAL_DAYS: apnsCriticalDays
      APNS_REPEAT_HOURS_WARNING: apnsRepeatHoursWarning
      APNS_REPEAT_HOURS_CRITICAL: apnsRepeatHoursCritical
      APNS_STATE_TABLE: apnsStateTable
      APNS_TEAMS_MIN_SEVERITY: apnsTeamsMinSeverity
      APNS_SLACK_MIN_SEVERITY: apnsSlackMinSeverity
      APNS_EMAIL_FROM: apnsEmailFrom
      APNS_EMAIL_TO: apnsEmailTo
      APNS_EMAIL_MIN_SEVERITY: apnsEmailMinSeverity
      APNS_PAGERDUTY_EVENTS_URL: apnsPagerdutyEventsUrl
      APNS_PAGERDUTY_MIN_SEVERITY: apnsPagerdutyMinSeverity
      APNS_WEBHOOK_MIN_SEVERITY: apnsWebhookMinSeverity
      APNS_DELIVERY_ATTEMPTS: apnsDeliveryAttempts
      APNS_CERT_SECRET_NAME: apnsCertSecretName
    }
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    vaultName: vault.outputs.name
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
  }
}

module graph 'app/graphPermissions.bicep' = if (toLower(grantGraphPermissions) == 'true') {
  name: 'graphPermissions'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    enableRenewal: toLower(enableRenewal) == 'true'
    grantMailSend: !empty(apnsEmailFrom)
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    appInsightsId: insights.outputs.resourceId
    alertEmail: alertEmail
    warningDays: int(apnsWarningDays)
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_FUNCTION_NAME string = app.outputs.name
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output APNS_KEY_VAULT_URL string = vault.outputs.uri
output APPLICATIONINSIGHTS_CONNECTION_STRING string = insights.outputs.connectionString
