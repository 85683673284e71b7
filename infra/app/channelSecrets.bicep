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

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for s in given: {
  parent: vault
  name: s.secret
  properties: { value: s.value }
}]

output references object = toObject(given, s => s.setting, s => '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${s.secret})')
