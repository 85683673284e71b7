// Azure Monitor alerts that do not depend on the app's own channels: an asset with few days left
// (from the ApnsDaysRemaining metric) and a missing heartbeat (no successful ApnsCheckCompleted in
// 26 hours: the monitor stopped, or keeps failing where its own channels may not reach anyone).
// Both notify an action group by e-mail.
param location string
param tags object
param appInsightsId string
param alertEmail string
param warningDays int = 30
@description('When this deployment ran (utcNow, "u" format): the heartbeat stays quiet for 26 hours after it until the first scheduled run has had its chance.')
param deployedAt string

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

resource daysRemaining 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'apns-days-remaining'
  location: location
  tags: tags
  properties: {
    displayName: 'Apple certificate or token expires within ${warningDays} days'
    description: 'ApnsDaysRemaining (sent by every run) is at most ${warningDays} for an asset. Renew it: see the renewal runbook in the README.'
    severity: 2
    enabled: true
    scopes: [ appInsightsId ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where timestamp > ago(26h) and name == "ApnsDaysRemaining" | summarize daysRemaining = min(value) by asset = tostring(customDimensions.asset), tenant = tostring(customDimensions.tenantId) | where daysRemaining <= ${warningDays}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [ actionGroup.id ] }
  }
}

resource heartbeat 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'apns-monitor-heartbeat-missing'
  location: location
  tags: tags
  properties: {
    displayName: 'intune-apns-monitor has not completed a successful check in 26 hours'
    description: 'No successful ApnsCheckCompleted event for 26 hours (quiet for the first 26 hours after a deployment): the monitor is down or failing; expiries are not being watched. See the Function App log.'
    severity: 1
    enabled: true
    scopes: [ appInsightsId ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: heartbeatQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [ actionGroup.id ] }
  }
}
