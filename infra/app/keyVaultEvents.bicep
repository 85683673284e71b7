// Renewal proposals (SPEC §16): the vault's Event Grid system topic and its subscription, which
// delivers each new version of the monitor's certificate secrets to the Event Grid trigger
// keyVaultSecretVersionCreated (endpointType AzureFunction: Event Grid reaches the function through
// the host's eventgrid_extension key, which it fetches itself; no key passes through here).
//
// Event Grid refuses an AzureFunction subscription whose function does not exist yet, and azd
// provisions before it deploys: the first `azd up` creates the topic only; the postdeploy hook
// (scripts/subscribeKeyVaultEvents.js) waits until the deployed function is listed, then provisions
// again with `subscribe` on. Every later provision keeps the subscription.
param vaultName string
param location string
param tags object
param functionAppName string
@description('Create the subscription: only once the function exists (set by the postdeploy hook).')
param subscribe bool
@description('APNS_CERT_SECRET_NAME: the certificate secret, or in a fleet the prefix of <name>-<tenantId>.')
param secretName string
param fleet bool

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName

  resource trigger 'functions' existing = {
    name: 'keyVaultSecretVersionCreated' // functions/keyVaultSecretVersionCreated.ts
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${vaultName}-events'
  location: location // a system topic lives in its source's region
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }

  resource subscription 'eventSubscriptions' = if (subscribe) {
    name: 'renewal-proposals'
    properties: {
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: site::trigger.id
          // One event per invocation: each version is one proposal, retried on its own.
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      eventDeliverySchema: 'EventGridSchema'
      // Only new versions of the certificate secrets: one name for one tenant, `<name>-` for a fleet
      // (the function itself ignores, without a read, any name that is not a watched tenant's).
      filter: {
        includedEventTypes: [ 'Microsoft.KeyVault.SecretNewVersionCreated' ]
        subjectBeginsWith: fleet ? '${secretName}-' : secretName
        subjectEndsWith: fleet ? '' : secretName
        isSubjectCaseSensitive: false // Key Vault names are case-insensitive
      }
      // Event Grid's own defaults, written down: a function that fails (Key Vault or Intune
      // unreachable) gets the event again for a day.
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
    }
  }
}

output topicName string = topic.name
output functionResourceId string = site::trigger.id
