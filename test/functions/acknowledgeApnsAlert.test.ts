import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { acknowledgeApnsAlert, unacknowledgeApnsAlert } from '../../functions/acknowledgeApnsAlert';
import { createTableAuditLog } from '../../shared/adapters/state/tableRenewalLock';
import { createTableStateStore } from '../../shared/adapters/state/tableStateStore';
import { assessTenant } from '../../shared/domain/assessTenant';
import { DEFAULT_POLICY } from '../../shared/domain/policy';
import { emptyTenantState } from '../../shared/domain/tenantState';
import { isAcknowledgementEntry } from '../../shared/ports/auditLog';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, withAppSettings } from '../support/functionEnv';
import { triggerOf } from '../support/functionsCoreApi';
import { apnsCert, snapshot, TOPIC } from '../fakes/snapshots';
import { CONTOSO_ID } from '../shared/dashboard/dashboardFixtures';
import { principalHeaders } from '../shared/dashboard/dashboardServer';

// The page's acknowledgement actions as deployed: Easy Auth's principal through the one request
// guard, the state and audit trail in Table Storage (Azurite).
const ORIGIN = 'https://apns-monitor.azurewebsites.net';
const OPERATOR = principalHeaders('alex@contoso.com', ['ApnsMonitor.Operator']);
const READER = principalHeaders('robin@contoso.com', []);
const DAY = 86_400_000;
const KEY = `${CONTOSO_ID}:apns:${TOPIC}`;
const table = { connection: { kind: 'connectionString' as const, connectionString: process.env.APNS_TEST_TABLE_CONNECTION as string }, table: uniqueTableName('ackfn') };
const store = createTableStateStore(table);
const audit = createTableAuditLog(table);
let restore: () => void;

/** The tenant as a check stored it: its APNs certificate `days` from now. */
async function storeTenant(days: number) {
  const now = Date.now();
  const { version } = await store.load(CONTOSO_ID);
  const assessments = assessTenant({ ...snapshot({ apns: apnsCert({ expirationDateTime: now + days * DAY + 3_600_000 }) }), tenantId: CONTOSO_ID }, now, DEFAULT_POLICY);
  await store.save({ ...emptyTenantState(CONTOSO_ID), assessments }, version);
}

beforeAll(() => {
  restore = withAppSettings({ APNS_TENANT_ID: CONTOSO_ID, WEBSITE_AUTH_ENABLED: 'True', AzureWebJobsStorage: table.connection.connectionString, APNS_STATE_TABLE: table.table });
});
afterAll(() => restore());

function post(route: 'ack' | 'unack', body: unknown, headers: Record<string, string>): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: `${ORIGIN}/api/apns/dashboard/${route}`,
    body: { string: JSON.stringify(body) },
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
  });
}
const json = (r: HttpResponseInit) => r.jsonBody as { outcome?: string; acknowledgement?: { by: string; until: string }; error?: { code: string; message: string } };
const until = new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10);

describe('the status page acknowledgement actions (POST /api/apns/dashboard/ack, /unack)', () => {
  test('when the entry point registers them, both are anonymous at the host under the page’s route (the guard is in the code)', () => {
    expect(triggerOf('acknowledgeApnsAlert')).toMatchObject({ type: 'httpTrigger', route: 'apns/dashboard/ack', methods: ['POST'], authLevel: 'anonymous' });
    expect(triggerOf('unacknowledgeApnsAlert')).toMatchObject({ type: 'httpTrigger', route: 'apns/dashboard/unack', methods: ['POST'], authLevel: 'anonymous' });
  });

  test('when a signed-in reader, another site or a form post tries, it is refused (403) and nothing is stored', async () => {
    await storeTenant(20);
    const body = { key: KEY, until, reason: 'booked' };
    const refused = [
      await acknowledgeApnsAlert(post('ack', body, READER), recordingContext('acknowledgeApnsAlert')),
      await acknowledgeApnsAlert(post('ack', body, { ...OPERATOR, origin: 'https://evil.example' }), recordingContext('acknowledgeApnsAlert')),
      await acknowledgeApnsAlert(post('ack', body, { ...OPERATOR, 'content-type': 'text/plain' }), recordingContext('acknowledgeApnsAlert')),
    ];
    expect(refused.map((r) => [r.status, json(r).error?.code])).toEqual([
      [403, 'forbidden'],
      [403, 'forbidden'],
      [403, 'forbidden'],
    ]);
    expect((await store.load(CONTOSO_ID)).state.acks).toBeUndefined();
  });

  test('when an Operator acknowledges from the page, it is stored under their name and audited; ending it works once', async () => {
    await storeTenant(20);
    const ok = await acknowledgeApnsAlert(post('ack', { key: KEY, until, reason: 'Renewal booked for Thursday' }, OPERATOR), recordingContext('acknowledgeApnsAlert'));
    expect([ok.status, json(ok).outcome, json(ok).acknowledgement?.by, json(ok).acknowledgement?.until]).toEqual([200, 'acknowledged', 'alex@contoso.com', `${until}T00:00:00.000Z`]);
    expect((await store.load(CONTOSO_ID)).state.acks?.[KEY]).toMatchObject({ by: 'alex@contoso.com', reason: 'Renewal booked for Thursday', severity: 'warning' });
    const trail = (await audit.latest(CONTOSO_ID, 5)).filter(isAcknowledgementEntry);
    expect(trail[0]).toMatchObject({ outcome: 'acknowledged', actor: 'alex@contoso.com', via: 'http', key: KEY });

    const ended = await unacknowledgeApnsAlert(post('unack', { key: KEY }, OPERATOR), recordingContext('unacknowledgeApnsAlert'));
    expect([ended.status, json(ended).outcome]).toEqual([200, 'unacknowledged']);
    const again = await unacknowledgeApnsAlert(post('unack', { key: KEY }, OPERATOR), recordingContext('unacknowledgeApnsAlert'));
    expect([again.status, json(again).error?.code]).toEqual([422, 'ack_refused']);
  });

  test('when the certificate has expired, or the body is malformed, it is refused with the reason and nothing is stored', async () => {
    await storeTenant(-3);
    const expired = await acknowledgeApnsAlert(post('ack', { key: KEY, until, reason: 'later' }, OPERATOR), recordingContext('acknowledgeApnsAlert'));
    expect([expired.status, json(expired).error?.code]).toEqual([422, 'ack_refused']);
    expect(json(expired).error?.message).toMatch(/never goes quiet/);
    const noDate = await acknowledgeApnsAlert(post('ack', { key: KEY, until: 'Thursday', reason: 'later' }, OPERATOR), recordingContext('acknowledgeApnsAlert'));
    expect([noDate.status, json(noDate).error?.code]).toEqual([400, 'invalid_request']);
    expect((await store.load(CONTOSO_ID)).state.acks).toBeUndefined();
  });
});
