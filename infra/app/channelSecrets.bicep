// Stores the channel secrets that were given in Key Vault and returns app-setting references to
// them. A secret that was not given produces no setting, so its channel stays off.
param vaultName string
@secure()
param teamsWebhookUrl string
@secure()
param slackWebhookUrl string
@secure()
param pagerdutyRoutingKey string
@secure()
param webhookUrl string
@secure()
param webhookSecret string

var all = [
  { setting: 'APNS_TEAMS_WEBHOOK_URL', secret: 'apns-teams-webhook-url', value: teamsWebhookUrl }
  { setting: 'APNS_SLACK_WEBHOOK_URL', secret: 'apns-slack-webhook-url', value: slackWebhookUrl }
  { setting: 'APNS_PAGERDUTY_ROUTING_KEY', secret: 'apns-pagerduty-routing-key', value: pagerdutyRoutingKey }
  { setting: 'APNS_WEBHOOK_URL', secret: 'apns-webhook-url', value: webhookUrl }
  { setting: 'APNS_WEBHOOK_SECRET', secret: 'apns-webhook-secret', value: webhookSecret }
]
var given = filter(all, s => !empty(s.value))
// Names only: the values never leave this module.
var givenNames = map(given, s => { setting: s.setting, secret: s.secret })

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

// One slot per channel secret, each created only when given: the loop's length is known before the
// deployment, so What-If and `bicep snapshot` can expand it.
resource secrets 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = [for s in all: if (!empty(s.value)) {
  parent: vault
  name: s.secret
  properties: { value: s.value }
}]

output references object = toObject(givenNames, s => s.setting, s => '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${s.secret})')
