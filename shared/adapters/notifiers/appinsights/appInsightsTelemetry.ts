import type { TelemetryClient } from 'applicationinsights';
import { worstOf } from '../../../domain/severity';
import type { Telemetry, RunTelemetry } from '../../../ports/telemetry';

/**
 * Run telemetry: `ApnsCheckCompleted` (the heartbeat Azure Monitor alerts on when it goes missing)
 * and, per asset on every run, how far it is from its expiry (the alert rules of infra/app/alerts.bicep):
 * `ApnsDaysRemaining` (≥ 0) until it expires, then `ApnsDaysPastExpiry` (≥ 1). Never a negative value:
 * the SDK's metrics pipeline (OpenTelemetry) drops negative measurements without a word, so an
 * expired asset reported as negative days would vanish and its alert would resolve by itself.
 */
export function createAppInsightsTelemetry(client: TelemetryClient): Telemetry {
  return {
    trackRun(run: RunTelemetry) {
      client.trackEvent({
        name: 'ApnsCheckCompleted',
        properties: {
          tenantId: run.tenantId,
          tenantName: run.tenantName,
          ok: String(run.ok),
          worstSeverity: worstOf(run.assessments.map((a) => a.severity)),
          errorCode: run.errorCode ?? '',
          deliveries: JSON.stringify(run.deliveries),
        },
        measurements: { durationMs: run.durationMs, assets: run.assessments.length },
      });
      for (const a of run.assessments) {
        if (a.daysRemaining === undefined || a.stale) continue;
        const properties = { tenantId: run.tenantId, kind: a.kind, assetId: a.assetId, asset: a.name, severity: a.severity };
        if (a.daysRemaining >= 0) client.trackMetric({ name: 'ApnsDaysRemaining', value: a.daysRemaining, properties });
        else client.trackMetric({ name: 'ApnsDaysPastExpiry', value: -a.daysRemaining, properties });
      }
    },
    async flush() {
      await client.flush();
    },
  };
}
