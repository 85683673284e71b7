import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { checkTenantFromQueue } from '../../functions/checkTenantFromQueue';
import { shutdownAppInsights } from '../../shared/adapters/notifiers/appinsights/appInsightsClient';
import { flushFunctionTelemetry, telemetryFlushWindow } from '../../shared/composition/functionServices';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { telemetryRows } from '../support/appInsightsCapture';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { hooks } from '../support/functionsCoreApi';
import { loopbackTls } from '../support/loopbackTls';
import { recordStorageRequests, type StorageRequestRecorder } from '../support/storageRequests';
import { startFleetHarness, type FleetHarness } from '../support/tenantHarness';
import '../../functions/index';

// A warm Functions instance checks message after message (SPEC §11): what it can keep, it keeps, and
// no invocation waits for Application Insights (issue 20).
const DAY = 86_400_000;
const storage = process.env.APNS_TEST_STORAGE_CONNECTION as string;
let fleet: FleetHarness;
let rx: ChannelReceivers;
let recorder: StorageRequestRecorder;
let restore: () => void = () => undefined;
let key = 0;
const appInsights = () => `InstrumentationKey=11111111-2222-3333-4444-${String(++key).padStart(12, '0')};IngestionEndpoint=${rx.urls.appinsights}`;

beforeAll(async () => {
  // One managed identity per test file: MSAL keeps its managed-identity source for the whole process.
  [fleet, rx, recorder] = await Promise.all([startFleetHarness({ tenants: 4 }), startChannelReceivers({ tls: loopbackTls() }), recordStorageRequests(storage)]);
  fleet.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
  // Wide enough that no export happens by itself between the invocations of a test and its look.
  telemetryFlushWindow.ms = 60_000;
});
afterAll(async () => {
  telemetryFlushWindow.ms = 1000;
  await flushFunctionTelemetry();
  await shutdownAppInsights();
  await Promise.all([fleet.close(), rx.close(), recorder.close()]);
});
beforeEach(() => rx.clear());
afterEach(() => restore());

const events = () => telemetryRows(rx).filter((r) => r.name === 'ApnsCheckCompleted');

describe('a warm instance', () => {
  test('when it checks several tenants, one after another and at once, the table is created once and each check reads its state once', async () => {
    restore = withAppSettings({ ...fleet.env, AzureWebJobsStorage: recorder.connectionString, APNS_STATE_TABLE: uniqueTableName('warm'), APPLICATIONINSIGHTS_CONNECTION_STRING: undefined });
    const from = recorder.requests.length;
    const [first, ...others] = fleet.tenantIds;
    await checkTenantFromQueue({ tenantId: first }, recordingContext('checkTenantFromQueue'));
    await Promise.all(others.map((tenantId) => checkTenantFromQueue({ tenantId }, recordingContext('checkTenantFromQueue'))));
    const requests = recorder.requests.slice(from);
    expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Tables'))).toHaveLength(1);
    // Each check reads its tenant's state once (and the fleet's own record, to resolve its alert if open).
    expect(requests.filter((r) => r.method === 'GET' && !r.path.includes("PartitionKey='fleet:"))).toHaveLength(4);
  });

  test("when several tenants' checks get through, the instance reads the fleet's record once to learn its alert is closed, not once per message", async () => {
    restore = withAppSettings({ ...fleet.env, AzureWebJobsStorage: recorder.connectionString, APNS_STATE_TABLE: uniqueTableName('warmfleet'), APPLICATIONINSIGHTS_CONNECTION_STRING: undefined });
    const from = recorder.requests.length;
    const [first, ...others] = fleet.tenantIds;
    await checkTenantFromQueue({ tenantId: first }, recordingContext('checkTenantFromQueue'));
    await Promise.all(others.map((tenantId) => checkTenantFromQueue({ tenantId }, recordingContext('checkTenantFromQueue'))));
    const requests = recorder.requests.slice(from);
    expect(requests.filter((r) => r.method === 'GET' && r.path.includes("PartitionKey='fleet:"))).toHaveLength(1);
  });

  test('when messages are checked with Application Insights on, none waits for an export: their telemetry leaves together afterwards, every event and metric of it', async () => {
    restore = withAppSettings({ ...fleet.env, AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('warm'), APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights() });
    await Promise.all(fleet.tenantIds.map((tenantId) => checkTenantFromQueue({ tenantId }, recordingContext('checkTenantFromQueue'))));
    expect(rx.of('appinsights')).toEqual([]);
    await flushFunctionTelemetry();
    // One export: the events in one post, the metrics in another (not two posts per message).
    expect(rx.of('appinsights')).toHaveLength(2);
    expect(events().map((e) => e.customDimensions.tenantId).sort()).toEqual([...fleet.tenantIds].sort());
    expect(telemetryRows(rx).filter((r) => r.name === 'ApnsDaysRemaining').map((r) => r.customDimensions.tenantId).sort()).toEqual([...fleet.tenantIds].sort());
  });

  test("when the timer checks its tenant with Application Insights on, the run ends without waiting for it, and the worker's graceful stop sends its heartbeat", async () => {
    // The home tenant alone (no APNS_TENANTS): the timer checks it itself.
    restore = withAppSettings({ ...fleet.env, APNS_TENANTS: undefined, AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('warmtimer'), APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights() });
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    expect(rx.of('appinsights')).toEqual([]);
    const terminate = hooks.filter((h) => h.name === 'appTerminate');
    expect(terminate).toHaveLength(1);
    await terminate[0]?.callback({});
    expect(events().map((e) => [e.customDimensions.tenantId, e.customDimensions.ok])).toEqual([[fleet.homeTenantId, 'true']]);
  });
});
