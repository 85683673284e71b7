// Azure Monitor alerts that do not depend on the app's own channels, each to an action group e-mail:
// - an asset with few days left, or already expired (ApnsDaysRemaining / ApnsDaysPastExpiry);
// - an expired asset, at the highest severity;
// - a missing heartbeat (no successful ApnsCheckCompleted in 26 hours: the monitor stopped, or keeps
//   failing where its own channels may not reach anyone).
param location string
param tags object
param appInsightsId string
param alertEmail string
param warningDays int = 30
@description('When this deployment ran (utcNow, "u" format): the heartbeat stays quiet for 26 hours after it until the first scheduled run has had its chance.')
param deployedAt string

// Days left per asset, from the latest report of each in the last 26 hours (one run a day, plus
// slack). The Application Insights SDK drops negative metric values, so an expired asset is reported
// as ApnsDaysPastExpiry (≥ 1) instead of a negative ApnsDaysRemaining (appInsightsTelemetry.ts);
// both are folded back into one signed number here, from the worst measurement of an export interval
// (valueMin / valueMax: `value` is a sum when a series is measured twice before a flush). The latest
// report wins, so a renewed asset resolves with the next run instead of 26 hours later.
var latestDaysRemaining = join([
  'customMetrics'
  '| where timestamp > ago(26h) and name in ("ApnsDaysRemaining", "ApnsDaysPastExpiry")'
  '| extend daysRemaining = iff(name == "ApnsDaysPastExpiry", -valueMax, valueMin), asset = tostring(customDimensions.asset)'
  '| summarize arg_max(timestamp, daysRemaining, asset) by tenant = tostring(customDimensions.tenantId), assetId = tostring(customDimensions.assetId)'
], '\n')

// The heartbeat, and why it does not fire right after `azd up`: the first scheduled run can be up to
// 24 hours away (08:00 UTC by default), so "no run in 26 hours" is also true of a monitor deployed
// an hour ago. It therefore stays quiet while there has never been a successful run AND the rule is
// younger than 26 hours; after that, a monitor that never ran fires like one that stopped. A
// redeployment of a monitor that has been running does not mute it (its last good run is known).
// muteActionsDuration would not help: it only silences repeats after a first notification.
var heartbeatQuery = join([
  'let deployedAt = todatetime("${deployedAt}");'
  'customEvents'
  '| where timestamp > ago(2d) and name == "ApnsCheckCompleted" and tostring(customDimensions.ok) == "true"'
  '| summarize lastGood = max(timestamp)'
  '| where (isnotnull(lastGood) and lastGood < ago(26h)) or (isnull(lastGood) and now() > deployedAt + 26h)'
], '\n')

// One entry per rule: adding a rule is one more entry.
var rules = [
  {
    name: 'apns-days-remaining'
    displayName: 'Apple certificate or token expires within ${warningDays} days, or has expired'
    description: 'An asset has at most ${warningDays} days left (ApnsDaysRemaining) or has expired (ApnsDaysPastExpiry). Renew it: see the renewal runbook in the README.'
    severity: 2
    query: '${latestDaysRemaining}\n| where daysRemaining <= ${warningDays}'
  }
  {
    name: 'apns-expired'
    displayName: 'Apple certificate or token has EXPIRED'
    description: 'An asset is past its expiry (ApnsDaysPastExpiry): Intune can no longer use it. An APNs certificate can still be renewed for 30 days after expiry; after that, every Apple device must enroll again. See the renewal runbook in the README.'
    severity: 0
    query: '${latestDaysRemaining}\n| where daysRemaining < 0'
  }
  {
    name: 'apns-monitor-heartbeat-missing'
    displayName: 'intune-apns-monitor has not completed a successful check in 26 hours'
    description: 'No successful ApnsCheckCompleted event for 26 hours (quiet for the first 26 hours after a deployment): the monitor is down or failing; expiries are not being watched. See the Function App log.'
    severity: 1
    query: heartbeatQuery
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-apns-monitor'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'apnsmon'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [ { name: 'oncall', emailAddress: alertEmail, useCommonAlertSchema: true } ]
  }
}

resource queryRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [for rule in rules: {
  name: rule.name
  location: location
  tags: tags
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [ appInsightsId ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [ actionGroup.id ] }
  }
}]
