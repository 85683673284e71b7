import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { createTableStateStore } from '../../shared/adapters/state/tableStateStore';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

const DAY = 86_400_000;
const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;
let h: TenantHarness;
let restore: () => void;
let table: string;

beforeAll(async () => {
  h = await startTenantHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.graph.reset();
  table = uniqueTableName('fn');
  restore = withAppSettings({ ...h.env, AzureWebJobsStorage: connectionString, APNS_STATE_TABLE: table });
});
afterEach(() => restore());

const stateStore = () => createTableStateStore({ connection: { kind: 'connectionString', connectionString }, table });

describe('checkApnsExpiry (timer, test mode of @azure/functions)', () => {
  test('when the certificate expires in 25 days, the run alerts through the log channel and persists state in Table Storage', async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 25 * DAY + 3_600_000 });
    const context = recordingContext('checkApnsExpiry');
    await checkApnsExpiry(timer(), context);
    expect(context.lines.join('\n')).toContain('WARNING: Apple MDM push certificate expires in 25 days');
    const { state, version } = await stateStore().load(h.identity.tenantId);
    expect(version).not.toBeNull();
    expect(state.lastRun).toMatchObject({ ok: true, worstSeverity: 'warning' });
    expect(Object.values(state.channels)[0]?.log?.mark?.severity).toBe('warning');
    // The second run finds the state and sends nothing new.
    const again = recordingContext('checkApnsExpiry');
    await checkApnsExpiry(timer(), again);
    expect(again.lines.join('\n')).not.toContain('WARNING: Apple MDM push certificate');
    expect(again.lines.join('\n')).toContain('nothing new to send');
  });

  test('when Graph denies access, it records the monitor failure, then throws', async () => {
    for (const resource of ['apns', 'vpp', 'ade'] as const) h.graph.addFault({ resource, status: 403 });
    const context = recordingContext('checkApnsExpiry');
    await expect(checkApnsExpiry(timer(), context)).rejects.toMatchObject({ code: 'graph_permission_denied' });
    const { state } = await stateStore().load(h.identity.tenantId);
    expect(state.lastRun).toMatchObject({ ok: false, errorCode: 'graph_permission_denied' });
    expect(state.channels[`${h.identity.tenantId}:monitor:monitor`]?.log?.mark?.severity).toBe('critical');
    expect(context.lines.join('\n')).toContain('DeviceManagementServiceConfig.Read.All');
  });

  test('when the timer is past due, it says so and still runs', async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 200 * DAY });
    const context = recordingContext('checkApnsExpiry');
    await checkApnsExpiry(timer(true), context);
    expect(context.lines.join('\n')).toMatch(/past due/);
  });

  test('when a setting is invalid, it throws the config error naming the field before reading anything', async () => {
    restore();
    restore = withAppSettings({ ...h.env, AzureWebJobsStorage: connectionString, APNS_CRITICAL_DAYS: '30' });
    const context = recordingContext('checkApnsExpiry');
    await expect(checkApnsExpiry(timer(), context)).rejects.toMatchObject({ code: 'config_invalid' });
    expect(context.lines.join('\n')).toContain('APNS_CRITICAL_DAYS: must be less than APNS_WARNING_DAYS (got 30 ≥ 30)');
    expect(h.graph.requests).toEqual([]);
  });
});
