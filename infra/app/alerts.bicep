// Azure Monitor alerts that do not depend on the app's own channels: an asset with few days left
// (from the ApnsDaysRemaining metric) and a missing heartbeat (no ApnsCheckCompleted in 26 hours:
// the monitor itself stopped). Both notify an action group by e-mail.
param location string
param tags object
param appInsightsId string
param alertEmail string
param warningDays int = 30

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
    displayName: 'intune-apns-monitor has not completed a check in 26 hours'
    description: 'No ApnsCheckCompleted event for 26 hours: the monitor is down or failing; expiries are not being watched.'
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
          query: 'customEvents | where timestamp > ago(26h) and name == "ApnsCheckCompleted" | summarize runs = count() | where runs == 0'
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
