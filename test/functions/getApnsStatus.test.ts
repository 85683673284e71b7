import { HttpRequest } from '@azure/functions';
import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { getApnsStatus } from '../../functions/getApnsStatus';
import { apnsFixture, vppFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

const DAY = 86_400_000;
let h: TenantHarness;
let restore: () => void;

beforeAll(async () => {
  h = await startTenantHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  restore = withAppSettings({ ...h.env, AzureWebJobsStorage: process.env.APNS_TEST_TABLE_CONNECTION, APNS_STATE_TABLE: uniqueTableName('st') });
});
afterEach(() => restore());

const get = () => new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/status' });

describe('getApnsStatus (HTTP)', () => {
  test('when no run has happened yet, it answers 200 with no assets and no last run', async () => {
    const response = await getApnsStatus(get(), recordingContext('getApnsStatus'));
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ tenantId: h.identity.tenantId, lastRun: null, assets: [] });
  });

  test('when a run has happened, it shows the last assessment per asset and the open alerts', async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 20 * DAY + 3_600_000 });
    h.graph.tenant.vppTokens = [vppFixture({ id: 'vpp-1' })];
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    const response = await getApnsStatus(get(), recordingContext('getApnsStatus'));
    const body = response.jsonBody as { lastRun: unknown; assets: { kind: string; severity: string; daysRemaining: number | null; expiresAt: string | null; inUse: boolean }[]; openAlerts: Record<string, Record<string, string>> };
    expect(body.lastRun).toMatchObject({ ok: true, worstSeverity: 'warning' });
    expect(body.assets.filter((a) => a.inUse).map((a) => [a.kind, a.severity])).toEqual([['apns', 'warning'], ['vpp', 'ok'], ['monitor', 'ok']]);
    // The connectors this tenant does not use are listed as such, never alerting.
    expect(body.assets.filter((a) => !a.inUse).map((a) => [a.kind, a.severity])).toEqual([
      ['certconnectors', 'ok'],
      ['mtd', 'ok'],
      ['googleplay', 'ok'],
      ['partners', 'ok'],
      ['autopilot', 'ok'],
      ['exchange', 'ok'],
    ]);
    expect(body.assets[0]).toMatchObject({ daysRemaining: 20, expiresAt: expect.stringMatching(/Z$/) });
    expect(Object.values(body.openAlerts)).toEqual([{ log: 'warning' }]);
  });

  test('when the settings are invalid, it answers 500 {error:{code,message,correlationId}} without a stack trace', async () => {
    restore();
    restore = withAppSettings({ ...h.env, APNS_NOTICE_DAYS: 'soon' });
    const context = recordingContext('getApnsStatus');
    const response = await getApnsStatus(get(), context);
    expect(response.status).toBe(500);
    const error = (response.jsonBody as { error: { code: string; message: string; correlationId: string } }).error;
    expect(error).toMatchObject({ code: 'config_invalid', correlationId: context.invocationId });
    expect(error.message).toContain('APNS_NOTICE_DAYS: must be a whole number of days, got "soon"');
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/\s+at\s.+:\d+:\d+/);
  });

  test('when storage is not configured, it answers with a clear config error', async () => {
    restore();
    restore = withAppSettings({ ...h.env, AzureWebJobsStorage: undefined });
    const response = await getApnsStatus(get(), recordingContext('getApnsStatus'));
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.jsonBody)).toContain('No state storage is configured');
  });
});
