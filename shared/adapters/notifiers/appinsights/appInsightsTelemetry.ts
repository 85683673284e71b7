import type { TelemetryClient } from 'applicationinsights';
import { worstOf } from '../../../domain/severity';
import type { Telemetry, RunTelemetry } from '../../../ports/telemetry';

/**
 * Run telemetry: `ApnsCheckCompleted` (the heartbeat Azure Monitor alerts on when it goes missing)
 * and the `ApnsDaysRemaining` metric per asset on every run (the alert rule on ≤ 30 days).
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
        client.trackMetric({
          name: 'ApnsDaysRemaining',
          value: a.daysRemaining,
          properties: { tenantId: run.tenantId, kind: a.kind, assetId: a.assetId, asset: a.name, severity: a.severity },
        });
      }
    },
    async flush() {
      await client.flush();
    },
  };
}
