// intune-apns-monitor: Flex Consumption Function App (Node 22) with a user-assigned identity,
// identity-based storage (shared keys off), Key Vault (RBAC), Application Insights + Log Analytics,
// Azure Monitor alerts, and — through the Microsoft Graph Bicep extension — the fleet's multi-tenant
// app and the status page's sign-in. Deployed by `azd up`; the Graph app roles this template decides
// (APNS_APP_ROLE_GRANTS) are granted right after by azure.yaml's postprovision hook, which retries
// while Entra replicates the new principals (README "Deploy").
// Every resource is declared natively with an explicit API version (no registry modules), so the
// Bicep compiler type-checks every property offline (`npm run infra:check`).
// Outputs carry names, URLs and ids only: never a key, connection string or secret.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource (one that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying principal: gets Key Vault Secrets Officer to store the renewed certificate (and, for a person, the ApnsMonitor.Operator role). Empty to skip.')
param principalId string = ''

@description('Kind of the deploying principal: User (a person running azd) or ServicePrincipal (azd in CI). A role assignment with the wrong kind fails with UnmatchedPrincipalType.')
@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param principalType string = 'User'

@description('Grant the Graph application permissions after provisioning (the postprovision hook; needs Privileged Role Administrator: Microsoft Graph app roles). Set false and have an administrator grant them by hand if you cannot.')
param grantGraphPermissions string = 'true'

@description('Grant DeviceManagementServiceConfig.ReadWrite.All (renewal upload and CSR; it includes the read). False grants only DeviceManagementServiceConfig.Read.All (monitoring only).')
param enableRenewal string = 'true'

@description('Also grant DeviceManagementManagedDevices.Read.All: the alternative the Graph v1.0 reference page lists for reading the APNs certificate, for a tenant whose read answers 403 with ServiceConfig.Read.All.')
param grantManagedDevicesRead string = 'false'

@description('Grant DeviceManagementConfiguration.Read.All, which the certificate connector, Managed Google Play and Intune connector status reads need (README "Graph permissions"). auto: when APNS_MONITORED_ASSETS monitors one of them (all, the default, does).')
@allowed([ 'auto', 'true', 'false' ])
param grantConfigurationRead string = 'auto'

@description('In fleet mode, grant the managed identity DelegatedAdminRelationship.Read.All in the home tenant: `apns-monitor tenants discover` lists the partner tenant\'s GDAP customers. False for a fleet whose home tenant is not a Microsoft partner.')
param grantGdapRead string = 'true'

@description('Fleet mode even before APNS_TENANTS lists anyone (e.g. to get consent links first). A non-empty APNS_TENANTS turns it on by itself.')
param fleet string = 'false'

@description('Client ID of an existing multi-tenant app registration for the fleet. Empty: this deployment creates one (with its federated credential).')
param fleetAppClientId string = ''

@description('Display name of the fleet app that this deployment creates: what each customer admin sees on the consent screen.')
param fleetAppName string = 'Intune APNs monitor'

@description('Put Microsoft Entra sign-in (App Service Authentication) in front of the app, for the status page. False: no sign-in, and the page refuses everyone.')
param statusPage string = 'true'

@description('Client ID of an existing app registration for the status page sign-in. Empty: this deployment creates one (with the ApnsMonitor.Operator role).')
param statusPageAppClientId string = ''

@description('Key Vault purge protection. Off by default so that `azd down --purge` can remove the vault; once on, it cannot be turned off and the vault name stays taken for the retention period.')
param keyVaultPurgeProtection string = 'false'

@description('Propose renewals from Key Vault (SPEC §16): an Event Grid system topic on the vault, and a subscription delivering new versions of the certificate secret to keyVaultSecretVersionCreated. Needs enableRenewal.')
param keyVaultEvents string = 'true'

@description('Set by the postdeploy hook once keyVaultSecretVersionCreated is deployed (Event Grid refuses a subscription to a function that does not exist yet). Leave it to the hook.')
param keyVaultEventsSubscribed string = 'false'

@description('When this deployment runs: the heartbeat alert stays quiet until the first scheduled run has had its chance. Leave the default.')
param deployedAt string = utcNow('u')

@description('E-mail address of the action group that receives the Azure Monitor alerts (days remaining, missing heartbeat). Empty: no e-mail receiver.')
param alertEmail string = ''

@description('Customer routes (SPEC §15): app settings that are Key Vault references, as "SETTING=secret-name" pairs separated by commas, e.g. "APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL=route-acme-teams-webhook-url". Store each secret in the vault first (README "Customer routes"); the values never pass through the deployment. Only APNS_ROUTE_* settings are taken.')
param routeVaultReferences string = ''

// ---- App settings (one per setting of shared/config/settings.ts, same defaults) ----
param apnsTenantName string = ''
param apnsGraphBaseUrl string = 'https://graph.microsoft.com'
param apnsGraphMaxRetrySeconds string = '60'
param apnsHttpTimeoutSeconds string = '30'
param apnsMonitoredAssets string = 'all'
param apnsCheckSchedule string = '0 0 8 * * *'
param apnsTenants string = ''
param apnsFleetConcurrency string = '32'
param apnsNoticeDays string = '60'
param apnsWarningDays string = '30'
param apnsCriticalDays string = '7'
param apnsRepeatHoursWarning string = '168'
param apnsRepeatHoursCritical string = '24'
param apnsSyncWarningHours string = '24'
param apnsSyncCriticalHours string = '72'
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
param apnsTenantRoutes string = ''
param apnsDeliveryAttempts string = '3'
param apnsCertSecretName string = 'apns-certificate'
param apnsStatusPageUrl string = ''

// One token per subscription + environment + region: every name below is unique per azd
// environment, so two environments never collide. A deleted Key Vault keeps its name for the
// soft-delete retention (7 days here) unless purged (`azd down --purge`): see README "Deploy".
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
  fleetApp: 'apns-monitor-fleet-${token}'
  statusPageApp: 'apns-monitor-status-${token}'
}
var deploymentContainer = 'app-package-${take(token, 20)}'
var tenantCheckQueue = 'apns-tenant-checks' // shared/config/loadConfig.ts TENANT_CHECK_QUEUE

// ---- Modes ----
// Fleet (SPEC §11): on when APNS_TENANTS lists tenants (or APNS_FLEET=true).
var fleetMode = toLower(fleet) == 'true' || !empty(apnsTenants)
var createFleetApp = fleetMode && empty(fleetAppClientId)
var homeTenantWatched = contains(toLower(apnsTenants), toLower(tenant().tenantId))
// Status page sign-in (SPEC §12).
var statusPageOn = toLower(statusPage) == 'true'
var createStatusPageApp = statusPageOn && empty(statusPageAppClientId)
var grantsOn = toLower(grantGraphPermissions) == 'true'
var renewalOn = toLower(enableRenewal) == 'true'
// The kinds whose reads need DeviceManagementConfiguration.Read.All (shared/domain/kinds: CONFIGURATION_READ_PERMISSION).
var monitoredKinds = map(split(toLower(apnsMonitoredAssets), ','), k => trim(k))
var configurationReadNeeded = length(intersection(monitoredKinds, [ 'all', 'certconnectors', 'googleplay', 'connectorstatus' ])) > 0
var configurationReadOn = toLower(grantConfigurationRead) == 'auto' ? configurationReadNeeded : toLower(grantConfigurationRead) == 'true'
var emailOn = !empty(apnsEmailFrom)
// Renewal proposals from Key Vault events (SPEC §16): only where the renewal may upload.
var keyVaultEventsOn = renewalOn && toLower(keyVaultEvents) == 'true'
var keyVaultEventsSubscribedOn = keyVaultEventsOn && toLower(keyVaultEventsSubscribed) == 'true'
var owners = empty(principalId) ? [] : [ principalId ]
// Customer routes: each "APNS_ROUTE_…=secret-name" pair becomes a Key Vault reference to that secret
// of this deployment's vault. Only route settings: the pairs cannot replace any other setting.
var routeReferencePairs = map(filter(split(routeVaultReferences, ','), pair => contains(pair, '=')), pair => {
  setting: trim(substring(pair, 0, indexOf(pair, '=')))
  secret: trim(substring(pair, indexOf(pair, '=') + 1))
})
var routeReferences = toObject(filter(routeReferencePairs, r => startsWith(r.setting, 'APNS_ROUTE_') && !empty(r.secret)), r => r.setting, r => '@Microsoft.KeyVault(VaultName=${names.vault};SecretName=${r.secret})')

// ---- Microsoft Graph application permissions, least privilege (README "Graph permissions") ----
// One line per permission and the mode that needs it. Intune's: held by the managed identity for one
// tenant, by the fleet app (each customer consents) in a fleet.
var intunePermissions = map(filter([
  { permission: 'DeviceManagementServiceConfig.ReadWrite.All', when: renewalOn } // renewal upload and CSR; includes the read
  { permission: 'DeviceManagementServiceConfig.Read.All', when: !renewalOn } // monitoring only
  { permission: 'DeviceManagementManagedDevices.Read.All', when: toLower(grantManagedDevicesRead) == 'true' } // the documented alternative for the APNs read
  { permission: 'DeviceManagementConfiguration.Read.All', when: configurationReadOn } // certificate connectors, Managed Google Play, connector status
], p => p.when), p => p.permission)
// The managed identity's own: Intune's for one tenant (in a fleet the fleet app reads), e-mail in any case.
var identityPermissions = flatten(map(filter([
  { permissions: intunePermissions, when: !fleetMode }
  { permissions: [ 'Mail.Send' ], when: emailOn } // sendMail from the home tenant's mailbox
  // `tenants discover`: the partner (home) tenant's GDAP customers, read with the home credential.
  { permissions: [ 'DelegatedAdminRelationship.Read.All' ], when: fleetMode && toLower(grantGdapRead) == 'true' }
], p => p.when), p => p.permissions))

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.rg
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: names.identity, location: location, tags: tags }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainer: deploymentContainer
    queues: fleetMode ? [ tenantCheckQueue ] : []
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: { logsName: names.logs, insightsName: names.insights, location: location, tags: tags }
}

module vault 'app/keyVault.bicep' = {
  name: 'vault'
  scope: rg
  params: {
    name: names.vault
    location: location
    tags: tags
    purgeProtection: toLower(keyVaultPurgeProtection) == 'true'
  }
}

// Channel secrets live in Key Vault; the app settings are Key Vault references.
module channelSecrets 'app/channelSecrets.bicep' = {
  name: 'channelSecrets'
  scope: rg
  dependsOn: [ vault ]
  params: {
    vaultName: names.vault
    teamsWebhookUrl: apnsTeamsWebhookUrl
    slackWebhookUrl: apnsSlackWebhookUrl
    pagerdutyRoutingKey: apnsPagerdutyRoutingKey
    webhookUrl: apnsWebhookUrl
    webhookSecret: apnsWebhookSecret
  }
}

// The fleet's multi-tenant app, trusting the identity through a federated credential (no secret).
module fleetApp 'app/fleetApp.bicep' = if (createFleetApp) {
  name: 'fleetApp'
  scope: rg
  params: {
    uniqueName: names.fleetApp
    displayName: fleetAppName
    identityPrincipalId: identity.outputs.principalId
    permissions: intunePermissions
    ownerIds: owners
  }
}

var appClientId = createFleetApp ? fleetApp!.outputs.appId : (fleetMode ? fleetAppClientId : '')

module app 'app/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  // The identity's roles first: the host's first start reads storage and the Key Vault references
  // with them. (Role assignments can still take minutes to apply: README "Troubleshooting".)
  dependsOn: [ rbac, monitoring ]
  params: {
    name: names.app
    planName: names.plan
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.primaryBlobEndpoint}${deploymentContainer}'
    appInsightsName: names.insights
    keyVaultUrl: vault.outputs.uri
    appClientId: appClientId
    vaultReferences: union(channelSecrets.outputs.references, routeReferences)
    // One line per setting of shared/config/settings.ts that is a parameter here.
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
      APNS_SYNC_WARNING_HOURS: apnsSyncWarningHours
      APNS_SYNC_CRITICAL_HOURS: apnsSyncCriticalHours
      APNS_STATE_TABLE: apnsStateTable
      APNS_TEAMS_MIN_SEVERITY: apnsTeamsMinSeverity
      APNS_SLACK_MIN_SEVERITY: apnsSlackMinSeverity
      APNS_EMAIL_FROM: apnsEmailFrom
      APNS_EMAIL_TO: apnsEmailTo
      APNS_EMAIL_MIN_SEVERITY: apnsEmailMinSeverity
      APNS_PAGERDUTY_EVENTS_URL: apnsPagerdutyEventsUrl
      APNS_PAGERDUTY_MIN_SEVERITY: apnsPagerdutyMinSeverity
      APNS_WEBHOOK_MIN_SEVERITY: apnsWebhookMinSeverity
      APNS_TENANT_ROUTES: apnsTenantRoutes
      APNS_DELIVERY_ATTEMPTS: apnsDeliveryAttempts
      APNS_CERT_SECRET_NAME: apnsCertSecretName
      APNS_STATUS_PAGE_URL: apnsStatusPageUrl
    }
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [ storage, vault, identity ]
  params: {
    storageAccountName: names.storage
    vaultName: names.vault
    identityName: names.identity
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// Status page: the sign-in app registration (needs the app's host name for its callback) ...
module statusPageApp 'app/statusPageApp.bicep' = if (createStatusPageApp) {
  name: 'statusPageApp'
  scope: rg
  params: {
    uniqueName: names.statusPageApp
    displayName: 'Intune APNs monitor status page (${environmentName})'
    hostName: app.outputs.defaultHostname
    ownerIds: owners
  }
}

var statusPageClientId = createStatusPageApp ? statusPageApp!.outputs.clientId : statusPageAppClientId

// ... and App Service Authentication in front of the app.
module statusPageAuth 'app/statusPageAuth.bicep' = if (statusPageOn) {
  name: 'statusPageAuth'
  scope: rg
  // Explicit, although the created sign-in app already waits for the app: with an existing sign-in
  // app (APNS_STATUS_PAGE_APP_CLIENT_ID) that module is skipped, and nothing else orders this after
  // the site it configures.
  #disable-next-line no-unnecessary-dependson
  dependsOn: [ app ]
  params: {
    appName: names.app
    clientId: statusPageClientId
  }
}

// Renewal proposals from Key Vault (SPEC §16): the vault's Event Grid system topic, and its
// AzureFunction subscription once the function is deployed (the postdeploy hook provisions again).
module keyVaultEventsModule 'app/keyVaultEvents.bicep' = if (keyVaultEventsOn) {
  name: 'keyVaultEvents'
  scope: rg
  dependsOn: [ vault, app ]
  params: {
    vaultName: names.vault
    location: location
    tags: tags
    functionAppName: names.app
    subscribe: keyVaultEventsSubscribedOn
    secretName: apnsCertSecretName
    fleet: fleetMode
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.insightsId
    alertEmail: alertEmail
    warningDays: int(apnsWarningDays)
    deployedAt: deployedAt
  }
}

// ---- App role assignments, granted by the postprovision hook (scripts/grantAppRoles.js) ----
// Not Microsoft.Graph/appRoleAssignedTo resources: on a principal created in the same deployment
// they fail while Entra replicates it ("Not a valid reference update",
// microsoftgraph/msgraph-bicep-types#193, open), so a first `azd up` would need a rerun. The hook
// grants exactly this list right after provisioning and retries while the principals replicate.
// Each entry: who (principalId, principalType, principal: a name for messages), on which
// application (resourceAppId) and which app role (appRole: its value).
var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph
var appRoleGrants = concat(
  map(grantsOn ? identityPermissions : [], permission => {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    principal: names.identity
    resourceAppId: graphAppId
    appRole: permission
  }),
  // The home tenant is itself watched: its admin consent to the fleet app, given by this deployment.
  map(grantsOn && createFleetApp && homeTenantWatched ? intunePermissions : [], permission => {
    principalId: fleetApp!.outputs.servicePrincipalId
    principalType: 'ServicePrincipal'
    principal: fleetAppName
    resourceAppId: graphAppId
    appRole: permission
  }),
  // The deploying person may use the status page's actions at once.
  createStatusPageApp && principalType == 'User' && !empty(principalId) ? [ {
    principalId: principalId
    principalType: 'User'
    principal: 'the deploying user'
    resourceAppId: statusPageApp!.outputs.clientId
    appRole: statusPageApp!.outputs.operatorRole
  } ] : []
)

// Names, URLs and ids for `azd env get-value` (README), and the hook's input. No connection string,
// key or secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = app.outputs.name
output AZURE_FUNCTION_URL string = 'https://${app.outputs.defaultHostname}'
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output APNS_KEY_VAULT_URL string = vault.outputs.uri
output APNS_APP_CLIENT_ID string = appClientId
output APNS_STATUS_PAGE_URL string = statusPageOn ? 'https://${app.outputs.defaultHostname}/api/apns/dashboard' : ''
output APNS_STATUS_PAGE_CLIENT_ID string = statusPageOn ? statusPageClientId : ''
output APNS_APP_ROLE_GRANTS array = appRoleGrants
// The postdeploy hook's input (scripts/subscribeKeyVaultEvents.js): off, waiting for the function, or subscribed.
output APNS_KEY_VAULT_EVENTS_STATE string = !keyVaultEventsOn ? 'off' : (keyVaultEventsSubscribedOn ? 'subscribed' : 'function-pending')
output APNS_KEY_VAULT_EVENTS_FUNCTION_ID string = keyVaultEventsOn ? keyVaultEventsModule!.outputs.functionResourceId : ''
output AZURE_RESOURCE_MANAGER_ENDPOINT string = environment().resourceManager
