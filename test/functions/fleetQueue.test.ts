import { randomUUID } from 'node:crypto';
import { HttpRequest } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { main } from '../../shared/cli/main';
import { getApnsStatus } from '../../functions/getApnsStatus';
import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { checkTenantFromQueue } from '../../functions/checkTenantFromQueue';
import { handleTenantCheckPoison, POISON_QUEUE } from '../../functions/handleTenantCheckPoison';
import { TENANT_CHECK_QUEUE } from '../../shared/config/loadConfig';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { triggerOf } from '../support/functionsCoreApi';
import { loopbackTls } from '../support/loopbackTls';
import { startQueueHost } from '../support/queueHost';
import { bufferIo } from '../support/bufferIo';
import { FLEET_APP_ROLES, startFleetHarness, type FleetHarness } from '../support/tenantHarness';
import '../../functions/index';

const DAY = 86_400_000;
const storage = process.env.APNS_TEST_STORAGE_CONNECTION as string;
const inDays = (d: number) => apnsFixture({ expiresAt: Date.now() + d * DAY + 3_600_000 });
let h: FleetHarness;
let rx: ChannelReceivers;
let restore: () => void;

beforeAll(async () => {
  h = await startFleetHarness({ tenants: [{ displayName: 'Contoso', graph: { apns: inDays(200) } }, { displayName: 'Fabrikam', graph: { apns: inDays(25) } }, { displayName: 'Northwind', graph: { apns: inDays(5) } }] });
  rx = await startChannelReceivers({ tls: loopbackTls() });
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
});
beforeEach(async () => {
  restore = withAppSettings({
    ...h.env,
    AzureWebJobsStorage: storage,
    APNS_STATE_TABLE: uniqueTableName('fleet'),
    APNS_PAGERDUTY_ROUTING_KEY: 'R0QUEUER0QUEUER0QUEUER0QUEUE0000',
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    // A customer route (SPEC §15): only a tenant that is assigned it (the registry test's Tailspin) uses it.
    APNS_ROUTE_TAILSPIN_PAGERDUTY_ROUTING_KEY: TAILSPIN_ROUTING_KEY,
  });
  rx.clear();
  h.graph.reset();
  for (const name of [TENANT_CHECK_QUEUE, POISON_QUEUE]) await queue(name).clearMessages().catch(() => undefined); // absent on the first run
});
afterEach(() => restore());

const TAILSPIN_ROUTING_KEY = 'R0TAILSPINR0TAILSPINR0TAILSPIN00';
const queue = (name: string) => new QueueClient(storage, name);
const enqueuedIds = async () => {
  const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, functionName: 'checkTenantFromQueue' });
  await host.drain();
  await host.stop();
  return host;
};
/** `apns-monitor tenants …` with the Function App's settings (Table Storage), as an MSP engineer runs it. */
const tenantsCli = async (...args: string[]) => {
  const io = bufferIo({ ...process.env });
  const code = await main(['tenants', ...args], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
};
const pdKeys = () => rx.of('pagerduty').map((r) => (r.json as { event_action: string; dedup_key: string }));

describe('a fleet on Functions: timer → Azurite queue → queue-triggered checks (host emulated)', () => {
  test('when the entry point loads, the queue functions listen on apns-tenant-checks and its poison queue, through AzureWebJobsStorage', () => {
    expect(triggerOf('checkTenantFromQueue')).toMatchObject({ type: 'queueTrigger', queueName: 'apns-tenant-checks', connection: 'AzureWebJobsStorage' });
    expect(triggerOf('handleTenantCheckPoison')).toMatchObject({ type: 'queueTrigger', queueName: 'apns-tenant-checks-poison', connection: 'AzureWebJobsStorage' });
  });

  test('when the timer runs, it reads no Graph and enqueues one message per tenant; the queue function then checks each tenant with its own token', async () => {
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    expect(h.graph.requests).toEqual([]);
    const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, functionName: 'checkTenantFromQueue' });
    await host.drain();
    await host.stop();
    expect(host.invocations.map((i) => (i.message as { tenantId: string }).tenantId).sort()).toEqual([...h.tenantIds].sort());
    expect(host.invocations.every((i) => i.outcome === 'succeeded')).toBe(true);
    for (const id of h.tenantIds) expect(h.graph.requests.filter((r) => r.tenantId === id)).toHaveLength(2);
    // Fabrikam (25 days) and Northwind (5 days) page, each on its own tenant's key.
    expect(pdKeys().map((e) => e.dedup_key.split(':')[0]).sort()).toEqual([h.tenantIds[1], h.tenantIds[2]].sort());
  });

  test('when every message is delivered twice (the platform re-delivers), nothing is sent twice', async () => {
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry')); // every tenant enqueued again
    // Both copies may run at once; one that finds the other's claims retries later rather than guess.
    const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, visibilityTimeoutMs: 0 });
    await host.drain();
    await host.stop();
    expect(host.poisoned).toEqual([]);
    expect(host.invocations.filter((i) => i.outcome === 'succeeded')).toHaveLength(6);
    expect(pdKeys()).toHaveLength(2);
  });

  test("when a tenant's check keeps failing, its message lands in the poison queue after maxDequeueCount tries and raises that tenant's monitor alert", async () => {
    const northwind = h.tenantIds[2] as string;
    // Graph is down for Northwind only (503 on every try: worth retrying, so the handler throws).
    h.graph.addFault({ resource: 'batch', status: 503, tenantId: northwind });
    restore();
    restore = withAppSettings({ ...h.env, AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('poison'), APNS_GRAPH_MAX_RETRY_SECONDS: '0', APNS_PAGERDUTY_ROUTING_KEY: 'R0QUEUER0QUEUER0QUEUER0QUEUE0000', APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty });
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, visibilityTimeoutMs: 0 });
    await host.drain();
    await host.stop();
    const tries = host.invocations.filter((i) => (i.message as { tenantId: string }).tenantId === northwind);
    expect(tries.map((i) => [i.dequeueCount, i.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'failed'], [4, 'failed'], [5, 'failed']]);
    expect(host.poisoned.map((p) => p.reason)).toEqual(['maxDequeueCount']);
    // The other tenants were checked as usual.
    expect(host.invocations.filter((i) => (i.message as { tenantId: string }).tenantId !== northwind).every((i) => i.outcome === 'succeeded')).toBe(true);
    const poison = startQueueHost({ connectionString: storage, queueName: POISON_QUEUE, handler: handleTenantCheckPoison });
    await poison.drain();
    await poison.stop();
    expect(poison.invocations.map((i) => i.outcome)).toEqual(['succeeded']);
    // Northwind's monitor alert is on PagerDuty once (the failed tries raised it; the poison run keeps it open, no duplicate)…
    const monitor = pdKeys().filter((e) => e.dedup_key === `${northwind}:monitor:monitor`);
    expect(monitor.map((e) => e.event_action)).toEqual(['trigger']);
    // …and the tenant's status now says its check was given up.
    const response = await getApnsStatus(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/apns/status?tenant=${northwind}` }), recordingContext('getApnsStatus'));
    const status = response.jsonBody as { tenantName: string; lastRun: { ok: boolean; errorCode: string }; assets: { kind: string; severity: string; findings: { message: string }[] }[] };
    expect(status.tenantName).toBe('Northwind');
    expect(status.lastRun).toMatchObject({ ok: false, errorCode: 'check_given_up' });
    expect(status.assets.find((a) => a.kind === 'monitor')?.findings[0]?.message).toContain('given up (poison queue apns-tenant-checks-poison)');
  });

  test('when Entra is unreachable, every queued check raises the one fleet alert (once per channel) and no tenant its own, given-up tenants included; a check that gets through resolves it', async () => {
    restore();
    restore = withAppSettings({ ...h.env, AzureWebJobsStorage: storage, APNS_STATE_TABLE: uniqueTableName('shared'), APNS_PAGERDUTY_ROUTING_KEY: 'R0QUEUER0QUEUER0QUEUER0QUEUE0000', APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty });
    h.entra.setOutage('close');
    try {
      await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
      const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, visibilityTimeoutMs: 0 });
      await host.drain();
      await host.stop();
      // Each message was tried and retried by the queue (a sign-in may come back), then given up.
      expect(host.invocations.filter((i) => i.outcome === 'failed')).toHaveLength(3 * 5);
      expect(host.poisoned).toHaveLength(3);
      const poison = startQueueHost({ connectionString: storage, queueName: POISON_QUEUE, handler: handleTenantCheckPoison });
      await poison.drain();
      await poison.stop();
      expect(poison.invocations.map((i) => i.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    } finally {
      h.entra.setOutage(undefined);
    }
    // Fifteen failed checks, one page: the fleet's, naming the sign-in; no tenant's own, none "given up".
    const fleetKey = `${h.homeTenantId}:monitor:fleet`;
    expect(pdKeys().map((e) => [e.event_action, e.dedup_key])).toEqual([['trigger', fleetKey]]);
    const alert = rx.of('pagerduty')[0]?.json as { payload: { summary: string } };
    expect(alert.payload.summary).toMatch(/^CRITICAL: Expiry monitor cannot check the fleet: Microsoft Entra sign-in failed/);
    expect(h.graph.requests).toEqual([]);

    // Entra is back: the next run's checks get through, and the first one resolves the fleet's alert.
    rx.clear();
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue, visibilityTimeoutMs: 0 });
    await host.drain();
    await host.stop();
    expect(host.invocations.every((i) => i.outcome === 'succeeded')).toBe(true);
    expect(pdKeys().filter((e) => e.dedup_key === fleetKey).map((e) => e.event_action)).toEqual(['resolve']);
  }, 60_000);
  test.each([
    ['stale (enqueued before its last successful check)', -60_000],
    ['forged without an enqueue time', null],
  ])("when a poison message is %s, it pages no one and the tenant's status stays as its good check left it", async (_what, offsetMs) => {
    const fabrikam = h.tenantIds[1] as string;
    const poison = startQueueHost({ connectionString: storage, queueName: POISON_QUEUE, handler: handleTenantCheckPoison });
    // A good check of every tenant (Fabrikam pages its 25-day warning), then the poison message.
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    const host = startQueueHost({ connectionString: storage, queueName: TENANT_CHECK_QUEUE, handler: checkTenantFromQueue });
    await host.drain();
    await host.stop();
    rx.clear();
    const body = { tenantId: fabrikam, runId: 'r', ...(offsetMs === null ? {} : { enqueuedAt: new Date(Date.now() + offsetMs).toISOString() }) };
    await queue(POISON_QUEUE).createIfNotExists();
    await queue(POISON_QUEUE).sendMessage(Buffer.from(JSON.stringify(body)).toString('base64'));
    await poison.drain();
    await poison.stop();
    expect(poison.invocations.map((i) => i.outcome)).toEqual(['succeeded']);
    expect(rx.of('pagerduty')).toEqual([]);
    const response = await getApnsStatus(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/apns/status?tenant=${fabrikam}` }), recordingContext('getApnsStatus'));
    expect((response.jsonBody as { lastRun: { ok: boolean } }).lastRun.ok).toBe(true);
  });

  test("when a poisoned tenant's check fails before it could alert (nothing recorded), the poison queue raises its monitor alert", async () => {
    const contoso = h.tenantIds[0] as string;
    const poison = startQueueHost({ connectionString: storage, queueName: POISON_QUEUE, handler: handleTenantCheckPoison });
    await queue(POISON_QUEUE).createIfNotExists();
    await queue(POISON_QUEUE).sendMessage(Buffer.from(JSON.stringify({ tenantId: contoso, runId: 'r', enqueuedAt: new Date().toISOString() })).toString('base64'));
    await poison.drain();
    await poison.stop();
    const alert = rx.of('pagerduty').map((r) => r.json as { dedup_key: string; payload?: { summary: string; custom_details?: { what?: string } } }).find((e) => e.dedup_key === `${contoso}:monitor:monitor`);
    expect(alert?.payload?.summary).toContain('Contoso');
    expect(alert?.payload?.custom_details?.what).toContain('given up (poison queue apns-tenant-checks-poison)');
  });
});

describe('the registry of tenants on Functions (SPEC §15): added without a redeploy or a restart', () => {
  test('when a tenant is added with `apns-monitor tenants add`, the next timer run of the same process enqueues it beside APNS_TENANTS, the queue checks it, and /api/apns/status shows it with its source and routes', async () => {
    // Tailspin has consented to the fleet app but is not in APNS_TENANTS.
    const tailspin = randomUUID();
    h.entra.addTenant(tailspin, { displayName: 'Tailspin Toys', consent: 'consented', roles: FLEET_APP_ROLES });
    h.graph.addTenant(tailspin, { apns: inDays(5) });
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    expect((await enqueuedIds()).invocations.map((i) => (i.message as { tenantId: string }).tenantId).sort()).toEqual([...h.tenantIds].sort());

    expect(await tenantsCli('add', tailspin.toUpperCase(), '--name', 'Tailspin Toys', '--route', 'tailspin')).toMatchObject({ code: 0, out: expect.stringContaining(`Added Tailspin Toys (${tailspin}) (routes TAILSPIN)`) });
    rx.clear();
    const context = recordingContext('checkApnsExpiry');
    await checkApnsExpiry(timer(), context);
    expect(context.lines.join('\n')).toContain('Enqueued the checks of 4 tenants (1 of them from the registry)');
    const host = await enqueuedIds();
    expect(host.invocations.map((i) => (i.message as { tenantId: string }).tenantId).sort()).toEqual([...h.tenantIds, tailspin].sort());
    expect(host.invocations.every((i) => i.outcome === 'succeeded')).toBe(true);
    // Its own token, its own alert (5 days: critical), named as registered.
    expect(h.graph.requests.filter((r) => r.tenantId === tailspin)).toHaveLength(2);
    const page = rx.of('pagerduty').map((r) => r.json as { dedup_key: string; payload: { summary: string } }).find((e) => e.dedup_key.startsWith(`${tailspin}:apns:`));
    expect(page?.payload.summary).toContain('Tailspin Toys');
    // Its route got its alert, and only its: the other tenants' alerts went to the global channel alone.
    const routed = rx.of('pagerduty').map((r) => r.json as { routing_key: string; dedup_key: string }).filter((e) => e.routing_key === TAILSPIN_ROUTING_KEY);
    expect(routed.length).toBeGreaterThan(0);
    expect(routed.every((e) => e.dedup_key.startsWith(`${tailspin}:`))).toBe(true);

    const response = await getApnsStatus(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/status' }), recordingContext('getApnsStatus'));
    const view = response.jsonBody as { tenants: { tenantId: string; tenantName: string; source: string; routes: string[]; consent: { state: string } }[] };
    expect(view.tenants.map((t) => [t.tenantName, t.source, t.routes])).toEqual([
      ['Contoso', 'setting', []],
      ['Fabrikam', 'setting', []],
      ['Northwind', 'setting', []],
      ['Tailspin Toys', 'registry', ['TAILSPIN']],
    ]);
    expect(view.tenants.every((t) => t.consent.state === 'read')).toBe(true);
    const one = await getApnsStatus(new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/apns/status?tenant=${tailspin}` }), recordingContext('getApnsStatus'));
    expect(one.jsonBody).toMatchObject({ tenantId: tailspin, tenantName: 'Tailspin Toys', source: 'registry' });

    // Removed: the next run no longer enqueues it, and a message still queued for it is dropped, not retried.
    expect(await tenantsCli('remove', tailspin)).toMatchObject({ code: 0 });
    await checkApnsExpiry(timer(), recordingContext('checkApnsExpiry'));
    await queue(TENANT_CHECK_QUEUE).sendMessage(Buffer.from(JSON.stringify({ tenantId: tailspin, runId: 'r', enqueuedAt: new Date().toISOString() })).toString('base64'));
    const after = await enqueuedIds();
    expect(after.invocations.filter((i) => (i.message as { tenantId: string }).tenantId === tailspin).map((i) => i.outcome)).toEqual(['succeeded']);
    expect(after.invocations).toHaveLength(4);
    expect(h.graph.requests.filter((r) => r.tenantId === tailspin)).toHaveLength(2);
  });

  test('when the registry cannot be read, the timer still enqueues the tenants of APNS_TENANTS, then fails saying the registered ones were not', async () => {
    const table = uniqueTableName('badregistry');
    restore();
    restore = withAppSettings({ ...h.env, AzureWebJobsStorage: storage, APNS_STATE_TABLE: table });
    const client = TableClient.fromConnectionString(storage, table, { allowInsecureConnection: true });
    await client.createTable();
    await client.createEntity({ partitionKey: '~fleet', rowKey: 'registry', chunks: 1, state0: 'not json' });
    const context = recordingContext('checkApnsExpiry');
    await expect(checkApnsExpiry(timer(), context)).rejects.toMatchObject({ code: 'state_unreadable', message: expect.stringContaining('only the tenants of APNS_TENANTS were checked') });
    expect(context.lines.join('\n')).toContain('Enqueued the checks of 3 tenants');
    expect((await enqueuedIds()).invocations).toHaveLength(3);
  });
});
