import { appInsightsClient, shutdownAppInsights } from '../../../../../shared/adapters/notifiers/appinsights/appInsightsClient';
import { createAppInsightsTelemetry } from '../../../../../shared/adapters/notifiers/appinsights/appInsightsTelemetry';
import type { Assessment } from '../../../../../shared/domain/assessment';
import { startChannelReceivers, type ChannelReceivers } from '../../../../../shared/simulator/channelReceivers';
import { telemetryRows } from '../../../../support/appInsightsCapture';
import { loopbackTls } from '../../../../support/loopbackTls';

// The real Application Insights SDK against a loopback ingestion endpoint: what Azure Monitor would store.
let rx: ChannelReceivers;
let n = 0;
beforeAll(async () => {
  rx = await startChannelReceivers({ tls: loopbackTls() });
});
afterAll(async () => {
  await shutdownAppInsights();
  await rx.close();
});
beforeEach(() => rx.clear());

// One client per test (its own key): a shut-down client never sends again.
async function client() {
  return appInsightsClient(`InstrumentationKey=11111111-2222-3333-4444-${String(++n).padStart(12, '0')};IngestionEndpoint=${rx.urls.appinsights}`);
}

function asset(daysRemaining: number, assetId = 'topic-1'): Assessment {
  return {
    key: `t1:apns:${assetId}`,
    tenantId: 't1',
    kind: 'apns',
    assetId,
    name: 'Apple MDM push certificate',
    severity: daysRemaining < 0 ? 'expired' : 'warning',
    findings: [],
    daysRemaining,
    assessedAt: 0,
  };
}

describe('run telemetry through the Application Insights SDK', () => {
  test('when the SDK is given a negative metric value, it sends nothing for it (so days left cannot go below zero)', async () => {
    const c = await client();
    c.trackMetric({ name: 'Positive', value: 2 });
    c.trackMetric({ name: 'Negative', value: -3 });
    c.trackMetric({ name: 'Zero', value: 0 });
    await c.flush();
    expect(telemetryRows(rx).map((r) => [r.name, r.value])).toEqual([
      ['Positive', 2],
      ['Zero', 0],
    ]);
  });

  test('when an asset has expired, its days past expiry are reported as ApnsDaysPastExpiry, a value the SDK keeps', async () => {
    const one = client();
    const telemetry = createAppInsightsTelemetry(() => one);
    telemetry.trackRun({ tenantId: 't1', tenantName: 'Contoso', ok: true, durationMs: 5, assessments: [asset(-3), asset(12, 'vpp-1'), asset(0, 'ade-1')], deliveries: [] });
    await telemetry.flush();
    const metrics = telemetryRows(rx).filter((r) => r.table === 'customMetrics');
    expect(metrics.map((m) => [m.name, m.customDimensions.assetId, m.value]).sort()).toEqual([
      ['ApnsDaysPastExpiry', 'topic-1', 3],
      ['ApnsDaysRemaining', 'ade-1', 0],
      ['ApnsDaysRemaining', 'vpp-1', 12],
    ]);
    expect(metrics.every((m) => m.value >= 0)).toBe(true);
    expect(metrics[0]?.customDimensions).toMatchObject({ tenantId: 't1', kind: 'apns' });
  });
});

describe('ending the Application Insights SDK', () => {
  // The exporter's settings poll (settings.sdk.monitor.azure.com) is internal: this reads its singleton
  // the way shutdownAppInsights finds it, so an exporter that moves or renames it fails here, not silently.
  test('shutdownAppInsights stops the SDK\'s own settings poll, which a client\'s shutdown leaves running', async () => {
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const exporter = createRequire(require.resolve('applicationinsights')).resolve('@azure/monitor-opentelemetry-exporter');
    const { ConfigurationManager } = (await import(join(dirname(exporter), '_configuration', 'configurationManager.js'))) as {
      ConfigurationManager: { getInstance(): { worker?: unknown } };
    };
    const c = await client();
    c.trackEvent({ name: 'poll-check' });
    await c.flush();
    expect(ConfigurationManager.getInstance().worker).toBeDefined();
    await c.shutdown();
    expect(ConfigurationManager.getInstance().worker).toBeDefined();
    await shutdownAppInsights();
    expect(ConfigurationManager.getInstance().worker).toBeUndefined();
  });
});

