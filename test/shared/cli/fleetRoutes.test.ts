import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { main } from '../../../shared/cli/main';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { uniqueTableName } from '../../support/azurite';
import { bufferIo } from '../../support/bufferIo';
import { loopbackTls } from '../../support/loopbackTls';
import { startFleetHarness, type FleetHarness } from '../../support/tenantHarness';

// SPEC §15 "customer routes": two customers of an MSP, each with its own Teams, PagerDuty and signed
// webhook on real loopback receivers, beside the MSP's own (global) channels. A route gets its own
// tenant's alerts and never the other's; each destination keeps its own delivery state, in the
// state file and in Table Storage alike.
const DAY = 86_400_000;
const inDays = (d: number, n: number) => apnsFixture({ expiresAt: Date.now() + d * DAY + 3_600_000, topic: `com.apple.mgmt.External.${n}0000000-0000-4000-8000-000000000000` });
const ACME_SECRET = 'whsec_QWNtZVNpZ25pbmdTZWNyZXQwMTIzNDU2Nzg5';
const BETA_SECRET = 'whsec_QmV0YVNpZ25pbmdTZWNyZXQwMTIzNDU2Nzg5';
const MSP_KEY = 'R0MSPR0MSPR0MSPR0MSPR0MSPR0MSP00';
const ACME_KEY = 'R0ACMER0ACMER0ACMER0ACMER0ACME00';

let h: FleetHarness;
let msp: ChannelReceivers;
let acme: ChannelReceivers;
let beta: ChannelReceivers;
let dir: string;
let n = 0;

beforeAll(async () => {
  h = await startFleetHarness({
    tenants: [
      { displayName: 'Acme', graph: { apns: inDays(25, 1) } },
      { displayName: 'Beta', graph: { apns: inDays(5, 2) } },
    ],
  });
  h.useIdentityEnv();
  const receivers = () => startChannelReceivers({ tls: loopbackTls() });
  [msp, acme, beta] = await Promise.all([receivers(), receivers(), receivers()]);
  dir = mkdtempSync(join(tmpdir(), 'apns-routes-'));
});
afterAll(async () => {
  await Promise.all([h.close(), msp.close(), acme.close(), beta.close()]);
  rmSync(dir, { recursive: true, force: true });
});
const [acmeId, betaId] = [() => h.tenantIds[0] as string, () => h.tenantIds[1] as string];
const setApns = (tenantId: string, days: number, n: number) => {
  (h.graph.tenants.get(tenantId) as { apns: unknown }).apns = inDays(days, n);
};

beforeEach(() => {
  for (const rx of [msp, acme, beta]) rx.clear();
  h.graph.reset();
  setApns(acmeId(), 25, 1);
  setApns(betaId(), 5, 2);
});

type Store = 'file' | 'table';
/** A fresh state per test: a state file, or a table of its own in Azurite. */
function storeSettings(store: Store): { args: string[]; env: Record<string, string> } {
  if (store === 'file') return { args: ['--state-file', join(dir, `state-${++n}.json`)], env: {} };
  return { args: [], env: { APNS_STATE_CONNECTION: process.env.APNS_TEST_TABLE_CONNECTION as string, APNS_STATE_TABLE: uniqueTableName('routes') } };
}

function settings(over: Record<string, string> = {}): Record<string, string> {
  return {
    ...h.env,
    APNS_TEAMS_WEBHOOK_URL: msp.urls.teams,
    APNS_PAGERDUTY_ROUTING_KEY: MSP_KEY,
    APNS_PAGERDUTY_EVENTS_URL: msp.urls.pagerduty,
    // Acme's own Teams starts at warning, its PagerDuty at its default (warning).
    APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: acme.urls.teams,
    APNS_ROUTE_ACME_TEAMS_MIN_SEVERITY: 'warning',
    APNS_ROUTE_ACME_PAGERDUTY_ROUTING_KEY: ACME_KEY,
    APNS_ROUTE_ACME_WEBHOOK_URL: acme.urls.webhook,
    APNS_ROUTE_ACME_WEBHOOK_SECRET: ACME_SECRET,
    APNS_ROUTE_BETA_TEAMS_WEBHOOK_URL: beta.urls.teams,
    APNS_ROUTE_BETA_WEBHOOK_URL: beta.urls.webhook,
    APNS_ROUTE_BETA_WEBHOOK_SECRET: BETA_SECRET,
    APNS_TENANT_ROUTES: `${acmeId()}=ACME,${betaId()}=BETA`,
    ...over,
  };
}

async function check(store: { args: string[]; env: Record<string, string> }, over: Record<string, string> = {}) {
  const io = bufferIo(settings({ ...store.env, ...over }), dir);
  const code = await main(['check', '--json', ...store.args], io);
  return { code, io, json: JSON.parse(io.out.join('\n')) as { tenants: { tenantId: string; channels: { channel: string; sent: number; failed: number }[] }[] } };
}

/**
 * The tenant ids messages are about: PagerDuty's by dedup key, for one routing key (every route
 * posts to the one Events API, APNS_PAGERDUTY_EVENTS_URL, which routes by key); the webhook's by its
 * verified data.
 */
const pagerDutyTenants = (routingKey: string) =>
  msp.of('pagerduty').flatMap((r) => {
    const body = r.json as { dedup_key: string; routing_key: string };
    return body.routing_key === routingKey ? [body.dedup_key.split(':')[0]] : [];
  });
const webhookTenants = (rx: ChannelReceivers, secret: string) =>
  rx.of('webhook').map((r) => (new Webhook(secret).verify(r.raw, r.headers) as { data: { tenantId: string } }).data.tenantId);
const teamsText = (rx: ChannelReceivers) => rx.of('teams').map((r) => JSON.stringify(r.json));

describe.each<Store>(['file', 'table'])('customer routes with the %s store (two customers, real loopback receivers)', (kind) => {
  test("when Acme is at 25 days and Beta at 5, each route gets only its own customer's alert and the MSP's channels get both", async () => {
    const store = storeSettings(kind);
    const { code, json } = await check(store);
    expect(code).toBe(2);
    expect(pagerDutyTenants(MSP_KEY).sort()).toEqual([acmeId(), betaId()].sort());
    expect(teamsText(msp)).toHaveLength(2);

    expect(pagerDutyTenants(ACME_KEY)).toEqual([acmeId()]);
    expect(webhookTenants(acme, ACME_SECRET)).toEqual([acmeId()]);
    expect(teamsText(acme)).toHaveLength(1);
    expect(teamsText(acme)[0]).toContain('Acme');

    expect(webhookTenants(beta, BETA_SECRET)).toEqual([betaId()]);
    expect(teamsText(beta)).toHaveLength(1);
    expect(teamsText(beta)[0]).toContain('Beta');
    expect(teamsText(beta)[0]).not.toContain('Acme');

    // The report names each destination.
    const channelsOf = (id: string) => json.tenants.find((t) => t.tenantId === id)?.channels.map((c) => `${c.channel}:${c.sent}`).sort();
    expect(channelsOf(acmeId())).toEqual(['log:1', 'pagerduty:1', 'pagerduty@ACME:1', 'teams:1', 'teams@ACME:1', 'webhook@ACME:1']);
    expect(channelsOf(betaId())).toEqual(['log:1', 'pagerduty:1', 'teams:1', 'teams@BETA:1', 'webhook@BETA:1']);

    // The next run sends nothing anywhere: every destination recorded what it accepted.
    for (const rx of [msp, acme, beta]) rx.clear();
    await check(store);
    expect([msp, acme, beta].map((rx) => rx.received.length)).toEqual([0, 0, 0]);
  });

  test("when the route's Teams is down, only it gets the alert again on the next run; the MSP's Teams is not sent twice", async () => {
    const store = storeSettings(kind);
    acme.failNext('teams', 503, 10);
    const first = await check(store, { APNS_DELIVERY_ATTEMPTS: '1' });
    expect(first.code).toBe(3);
    expect(first.json.tenants.find((t) => t.tenantId === acmeId())?.channels.find((c) => c.channel === 'teams@ACME')).toMatchObject({ sent: 0, failed: 1 });
    for (const rx of [msp, acme, beta]) rx.clear();
    const second = await check(store);
    expect(second.code).toBe(2);
    expect(teamsText(acme)).toHaveLength(1);
    expect(msp.received).toHaveLength(0);
    expect(beta.received).toHaveLength(0);
  });

  test("when the route's Teams answers 410 Gone, only that destination is switched off, and the monitor says so on the other channels", async () => {
    const store = storeSettings(kind);
    acme.failNext('teams', 410);
    await check(store);
    for (const rx of [msp, acme, beta]) rx.clear();
    // Acme's certificate gets worse: every destination of Acme but its gone Teams is told.
    setApns(acmeId(), 5, 1);
    await check(store);
    expect(acme.of('teams')).toHaveLength(0);
    expect(pagerDutyTenants(ACME_KEY)).toEqual([acmeId(), acmeId()]); // the critical alert, and the monitor's warning about its Teams
    expect(teamsText(msp).some((t) => t.includes('The teams channel of route ACME is switched off'))).toBe(true);
    expect(teamsText(beta)).toEqual([]);
  });
});

test("when a customer's certificate is at notice and its route starts at warning, the MSP is told and the customer's copy waits", async () => {
  const store = storeSettings('file');
  setApns(acmeId(), 45, 1);
  await check(store, { APNS_TENANT_ROUTES: `${acmeId()}=ACME` });
  expect(teamsText(msp).some((t) => t.includes('Acme') && t.includes('45 days'))).toBe(true);
  expect(acme.of('teams')).toEqual([]);
  expect(webhookTenants(acme, ACME_SECRET)).toEqual([acmeId()]); // its webhook starts at notice (the default)
});
