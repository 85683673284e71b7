import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shutdownAppInsights } from '../../shared/adapters/notifiers/appinsights/appInsightsClient';
import { loadConfig } from '../../shared/config/loadConfig';
import { checkOptionsFrom, createCheckDeps } from '../../shared/composition/createServices';
import type { Logger } from '../../shared/ports/logger';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { apnsFixture, vppFixture } from '../../shared/simulator/tenantFixtures';
import { checkExpiry } from '../../shared/useCases/checkExpiry';
import { telemetryRows, type TelemetryRow } from '../support/appInsightsCapture';
import { BASE_PARAMS, deploymentOf, describeInfra } from '../support/infraDeployment';
import { runKql } from '../support/kql';
import { loopbackTls } from '../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

// The first run compiles with the real Bicep compiler (tens of seconds on a busy machine); later runs read its cache.
jest.setTimeout(300_000);

/**
 * The Azure Monitor rules as deployed (their queries taken from `bicep snapshot` of infra/main.bicep,
 * not copied), run over the telemetry a real check sent through the real Application Insights SDK to
 * a loopback ingestion endpoint. A rule "fires" when its query returns a row (Count > 0).
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
let h: TenantHarness;
let rx: ChannelReceivers;
let dir: string;
let n = 0;
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Rule {
  name: string;
  query: string;
}

function deployedRules(): Rule[] {
  const rules = deploymentOf({}).resources('Microsoft.Insights/scheduledQueryRules');
  return rules.map((r) => {
    const props = r.properties as { criteria: { allOf: { query: string; timeAggregation: string; operator: string; threshold: number }[] } };
    const [criterion] = props.criteria.allOf;
    // Every rule fires on "the query returned rows": that is what the evaluation below decides.
    expect(criterion).toMatchObject({ timeAggregation: 'Count', operator: 'GreaterThan', threshold: 0 });
    return { name: String(r.name), query: criterion?.query as string };
  });
}

/** Which deployed rules fire over these rows, evaluated at `now`. */
function firing(rows: TelemetryRow[], now: number): string[] {
  const tables = { customMetrics: rows.filter((r) => r.table === 'customMetrics'), customEvents: rows.filter((r) => r.table === 'customEvents') };
  return deployedRules()
    .filter((rule) => runKql(rule.query, { now, tables }).length > 0)
    .map((rule) => rule.name)
    .sort();
}

/** One real monitoring run of the simulated tenant, Application Insights on; returns what reached it. */
async function run(setup: () => void): Promise<TelemetryRow[]> {
  rx.clear();
  h.graph.tenant.vppTokens = [];
  h.graph.tenant.adeTokens = [];
  setup();
  const config = loadConfig({ ...h.env, APNS_TENANT_NAME: 'Contoso', APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=11111111-2222-3333-4444-${String(++n).padStart(12, '0')};IngestionEndpoint=${rx.urls.appinsights}` });
  const deps = await createCheckDeps(config, { logger: silent, stateFile: join(dir, `state-${n}.json`) });
  await checkExpiry(deps, checkOptionsFrom(config, {}));
  await deps.telemetry.flush();
  await shutdownAppInsights();
  return telemetryRows(rx);
}

const latest = (rows: TelemetryRow[]) => Math.max(...rows.map((r) => r.timestamp));

describeInfra('the Azure Monitor rules infra/ deploys, over what the product sends', () => {
  beforeAll(async () => {
    h = await startTenantHarness();
    h.useIdentityEnv();
    rx = await startChannelReceivers({ tls: loopbackTls() });
    dir = mkdtempSync(join(tmpdir(), 'apns-alert-rules-'));
  });
  afterAll(async () => {
    await shutdownAppInsights();
    await Promise.all([h.close(), rx.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => h.graph.reset());

  test('when the template is compiled, it deploys the days-left, the expired and the heartbeat rules', () => {
    expect(deployedRules().map((r) => r.name).sort()).toEqual(['apns-days-remaining', 'apns-expired', 'apns-monitor-heartbeat-missing']);
  });

  test('when the certificate expired three days ago, every expiry rule fires — also a day later — and the heartbeat stays quiet (the monitor runs)', async () => {
    const rows = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() - 3 * DAY + HOUR });
    });
    expect(rows.some((r) => r.name === 'ApnsDaysPastExpiry')).toBe(true);
    const now = latest(rows) + 5 * 60_000;
    expect(firing(rows, now)).toEqual(['apns-days-remaining', 'apns-expired']);
    // The next day's evaluation, before the next run: the last report still counts (26 h window).
    expect(firing(rows, now + 23 * HOUR)).toEqual(['apns-days-remaining', 'apns-expired']);
  });

  test('when one VPP token expired and the certificate is healthy, the expiry rules fire for that token', async () => {
    const rows = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
      h.graph.tenant.vppTokens = [vppFixture({ id: 'vpp-expired', expiresAt: Date.now() - 10 * DAY })];
    });
    expect(firing(rows, latest(rows) + 60_000)).toEqual(['apns-days-remaining', 'apns-expired']);
  });

  test('when the certificate has 20 days left, only the days-left rule fires; with 200 days left, none', async () => {
    const soon = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 20 * DAY + HOUR });
    });
    expect(firing(soon, latest(soon) + 60_000)).toEqual(['apns-days-remaining']);
    const healthy = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
    });
    expect(firing(healthy, latest(healthy) + 60_000)).toEqual([]);
  });

  test('when an expired certificate is renewed, the next run resolves both expiry rules (the latest report wins)', async () => {
    const expired = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() - 3 * DAY + HOUR });
    });
    const renewed = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 362 * DAY });
    });
    // The renewed run is an hour later than the expired one.
    const rows = [...expired.map((r) => ({ ...r, timestamp: r.timestamp - HOUR })), ...renewed];
    expect(firing(rows, latest(rows) + 60_000)).toEqual([]);
  });

  test('when no successful run has happened for 27 hours, the heartbeat rule fires; within 26 hours of the deployment it does not', async () => {
    const rows = await run(() => {
      h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
    });
    expect(firing(rows, latest(rows) + 27 * HOUR)).toEqual(['apns-monitor-heartbeat-missing']);
    const deployedAt = Date.parse(BASE_PARAMS.deployedAt?.replace(' ', 'T') ?? '');
    expect(firing([], deployedAt + 25 * HOUR)).toEqual([]);
    expect(firing([], deployedAt + 27 * HOUR)).toEqual(['apns-monitor-heartbeat-missing']);
  });
});
