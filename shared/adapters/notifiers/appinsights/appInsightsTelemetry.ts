import type { TelemetryClient } from 'applicationinsights';
import { worstOf } from '../../../domain/severity';
import type { Telemetry, RunTelemetry } from '../../../ports/telemetry';

/**
 * Run telemetry: `ApnsCheckCompleted` (the heartbeat Azure Monitor alerts on when it goes missing)
 * and, per asset on every run, how far it is from its expiry (the alert rules of infra/app/alerts.bicep):
 * `ApnsDaysRemaining` (≥ 0) until it expires, then `ApnsDaysPastExpiry` (≥ 1). Never a negative value:
 * the SDK's metrics pipeline (OpenTelemetry) drops negative measurements without a word, so an
 * expired asset reported as negative days would vanish and its alert would resolve by itself.
 *
 * The client is asked for after a run is tracked, not before: loading `applicationinsights` costs
 * about half a second, so it happens after the check and after the caller has gone on with the
 * check's result, and `flush` waits for it and for every run tracked meanwhile.
 */
export function createAppInsightsTelemetry(client: () => Promise<TelemetryClient>): Telemetry {
  let tracked: Promise<unknown> | undefined;
  return {
    trackRun(run: RunTelemetry) {
      // On a later turn of the event loop: the SDK's first load (a synchronous require of ~0.3 s)
      // would otherwise run before the caller's own continuation, i.e. inside the invocation.
      const recorded = new Promise<void>((resolve) => setImmediate(resolve))
        .then(client)
        .then((c) => record(c, run));
      tracked = tracked ? Promise.all([tracked, recorded]) : recorded;
      // A client that failed to load is reported by `flush`, which awaits this same promise.
      tracked.catch(() => undefined);
    },
    async flush() {
      if (!tracked) return; // nothing tracked: the SDK is not loaded for nothing
      await tracked;
      await (await client()).flush();
    },
  };
}

function record(client: TelemetryClient, run: RunTelemetry): void {
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
}
