import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../../shared/config/loadConfig';
import { checkOptionsFrom, createCheckDeps } from '../../../shared/composition/createServices';
import { silentLogger } from '../../../shared/ports/logger';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import type { GraphTenant } from '../../../shared/simulator/graphSimulator';
import {
  adeFixture,
  apnsFixture,
  autopilotFixture,
  connectorStatusFixture,
  DEFENDER_CONNECTOR_ID,
  exchangeConnectorFixture,
  googlePlayFixture,
  mtdConnectorFixture,
  ndesConnectorFixture,
  partnerFixture,
  vppFixture,
} from '../../../shared/simulator/tenantFixtures';
import { checkExpiry, runFailure } from '../../../shared/useCases/checkExpiry';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ROUTING_KEY = 'R0CONNECT0RSR0CONNECT0RSR0CONNEC';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ids = { ndes: '6b1e0c4a-0000-4000-8000-00000000a001', exchange: '6b1e0c4a-0000-4000-8000-00000000a002', jamf: '6b1e0c4a-0000-4000-8000-00000000a003', vpp: 'vpp-1', ade: 'ade-1' };

let h: TenantHarness;
let rx: ChannelReceivers;
let dir: string;
let stateFile: string;
let n = 0;

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-connectors-'));
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A tenant that uses every connector, each healthy, and a healthy APNs certificate. */
function everyConnectorHealthy(): Partial<GraphTenant> {
  return {
    apns: apnsFixture({ expiresAt: Date.now() + 200 * DAY }),
    vppTokens: [vppFixture({ id: ids.vpp })],
    adeTokens: [adeFixture({ id: ids.ade })],
    ndesConnectors: [ndesConnectorFixture({ id: ids.ndes })],
    mtdConnectors: [mtdConnectorFixture()],
    googlePlay: googlePlayFixture({ bindStatus: 'boundAndValidated' }),
    deviceManagementPartners: [partnerFixture({ id: ids.jamf })],
    autopilot: autopilotFixture({ lastSyncAt: Date.now() - 2 * HOUR, syncStatus: 'completed' }),
    exchangeConnectors: [exchangeConnectorFixture({ id: ids.exchange })],
    connectorStatus: [connectorStatusFixture({ connectorName: 'chromebookLastDirectorySyncDateTime' }), connectorStatusFixture({ connectorName: 'vppTokenLastSyncDateTime', instanceId: ids.vpp })],
  };
}

function tenantWith(data: Partial<GraphTenant>): void {
  Object.assign(h.graph.tenant, { apns: apnsFixture({ expiresAt: Date.now() + 200 * DAY }), vppTokens: [], adeTokens: [], ndesConnectors: [], mtdConnectors: [], googlePlay: googlePlayFixture(), deviceManagementPartners: [], autopilot: autopilotFixture(), exchangeConnectors: [], connectorStatus: [] }, data);
}

beforeEach(() => {
  rx.clear();
  h.graph.reset();
  stateFile = join(dir, `state-${++n}.json`);
  tenantWith(everyConnectorHealthy());
});

const config = () =>
  loadConfig({
    ...h.env,
    APNS_TENANT_NAME: 'Contoso',
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
    APNS_SLACK_WEBHOOK_URL: rx.urls.slack,
    APNS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_WEBHOOK_URL: rx.urls.webhook,
    APNS_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });

async function run() {
  rx.clear();
  const cfg = config();
  const deps = await createCheckDeps(cfg, { logger: silentLogger, stateFile });
  return checkExpiry(deps, checkOptionsFrom(cfg, { deliveryBackoffMs: 5 }));
}

interface WebhookData {
  type: string;
  data: { eventType: string; key: string; severity: string; asset: { kind: string; name: string; lastSyncAt: string | null }; title: string; summary: string; nextSteps: string[]; links: { url: string }[] };
}
/** The signed webhook events of the last run (verified as a receiver would). */
const events = () => rx.of('webhook').map((r) => new Webhook(WEBHOOK_SECRET).verify(r.raw, r.headers) as WebhookData);

interface Case {
  what: string;
  kind: string;
  assetId: string;
  broken: () => Partial<GraphTenant>;
  severity: 'warning' | 'critical';
  name: RegExp;
  place: string;
}

const healthy = everyConnectorHealthy;
const CASES: Case[] = [
  { what: 'a certificate connector is inactive', kind: 'certconnectors', assetId: ids.ndes, broken: () => ({ ndesConnectors: [ndesConnectorFixture({ id: ids.ndes, state: 'inactive' })] }), severity: 'critical', name: /Certificate connector "PKI-CONN-01"/, place: 'Tenant administration > Connectors and tokens > Certificate connectors' },
  { what: 'a certificate connector last connected 30 hours ago', kind: 'certconnectors', assetId: ids.ndes, broken: () => ({ ndesConnectors: [ndesConnectorFixture({ id: ids.ndes, lastConnectionAt: Date.now() - 30 * HOUR })] }), severity: 'warning', name: /Certificate connector "PKI-CONN-01"/, place: 'Certificate connectors' },
  { what: 'the Defender connector is unresponsive', kind: 'mtd', assetId: DEFENDER_CONNECTOR_ID, broken: () => ({ mtdConnectors: [mtdConnectorFixture({ partnerState: 'unresponsive' })] }), severity: 'critical', name: /Microsoft Defender for Endpoint/, place: 'Tenant administration > Connectors and tokens > Mobile Threat Defense' },
  { what: "the Defender heartbeat is older than the tenant's 2-day limit", kind: 'mtd', assetId: DEFENDER_CONNECTOR_ID, broken: () => ({ mtdConnectors: [mtdConnectorFixture({ lastHeartbeatAt: Date.now() - 2 * DAY - HOUR, thresholdDays: 2 })] }), severity: 'critical', name: /Microsoft Defender for Endpoint/, place: 'Advanced features' },
  { what: 'Managed Google Play is being unbound', kind: 'googleplay', assetId: 'binding', broken: () => ({ googlePlay: googlePlayFixture({ bindStatus: 'unbinding' }) }), severity: 'critical', name: /Managed Google Play \(android-admin@contoso\.com\)/, place: 'Tenant administration > Connectors and tokens > Managed Google Play' },
  { what: "Managed Google Play's credentials are no longer valid", kind: 'googleplay', assetId: 'binding', broken: () => ({ googlePlay: googlePlayFixture({ bindStatus: 'boundAndValidated', lastAppSyncStatus: 'credentialsNotValid' }) }), severity: 'warning', name: /Managed Google Play/, place: 'Sign in to Managed Google Play again with the Google account that bound it (android-admin@contoso.com)' },
  { what: 'the Jamf partner is terminated', kind: 'partners', assetId: ids.jamf, broken: () => ({ deviceManagementPartners: [partnerFixture({ id: ids.jamf, partnerState: 'terminated' })] }), severity: 'critical', name: /Device management partner "Jamf Pro"/, place: 'Tenant administration > Connectors and tokens > Partner device management' },
  { what: "Jamf's devices will be marked non-compliant in 5 days", kind: 'partners', assetId: ids.jamf, broken: () => ({ deviceManagementPartners: [partnerFixture({ id: ids.jamf, nonCompliantAt: Date.now() + 5 * DAY + HOUR })] }), severity: 'critical', name: /Jamf Pro/, place: "In Jamf Pro's console" },
  { what: "Jamf's devices will be marked non-compliant in 20 days", kind: 'partners', assetId: ids.jamf, broken: () => ({ deviceManagementPartners: [partnerFixture({ id: ids.jamf, nonCompliantAt: Date.now() + 20 * DAY + HOUR })] }), severity: 'warning', name: /Jamf Pro/, place: 'Partner device management' },
  { what: 'the Windows Autopilot sync failed', kind: 'autopilot', assetId: 'sync', broken: () => ({ autopilot: autopilotFixture({ lastSyncAt: Date.now() - HOUR, syncStatus: 'failed' }) }), severity: 'warning', name: /Windows Autopilot sync/, place: 'Devices > Enrollment > Windows > Windows Autopilot > Devices > Sync' },
  { what: 'the Exchange connector is disconnected', kind: 'exchange', assetId: ids.exchange, broken: () => ({ exchangeConnectors: [exchangeConnectorFixture({ id: ids.exchange, status: 'disconnected' })] }), severity: 'critical', name: /Exchange connector "EXCH-CONN-01"/, place: 'Tenant administration > Connectors and tokens > Exchange ActiveSync connectors' },
  { what: "Intune rates Chromebook directory sync unhealthy (a connector not modelled here)", kind: 'connectorstatus', assetId: 'chromebookLastDirectorySyncDateTime', broken: () => ({ connectorStatus: [connectorStatusFixture({ connectorName: 'chromebookLastDirectorySyncDateTime', status: 'unhealthy' })] }), severity: 'critical', name: /Chromebook directory sync \(Intune's connector status\)/, place: 'Tenant administration > Tenant status > Connector status' },
  { what: 'Intune rates the VPP token sync unhealthy while its own sync date looks fine', kind: 'connectorstatus', assetId: `vppTokenLastSyncDateTime/${ids.vpp}`, broken: () => ({ connectorStatus: [connectorStatusFixture({ connectorName: 'vppTokenLastSyncDateTime', instanceId: ids.vpp, status: 'unhealthy' })] }), severity: 'critical', name: /VPP token sync \(Intune's connector status\)/, place: 'Tenant status > Connector status' },
  { what: 'an ADE token reports sync error 3', kind: 'ade', assetId: ids.ade, broken: () => ({ adeTokens: [adeFixture({ id: ids.ade, lastSyncErrorCode: 3 })] }), severity: 'warning', name: /ADE token "Contoso ADE"/, place: 'accept any new terms' },
  { what: 'a VPP token last synced four days ago', kind: 'vpp', assetId: ids.vpp, broken: () => ({ vppTokens: [vppFixture({ id: ids.vpp, lastSyncAt: Date.now() - 4 * DAY })] }), severity: 'critical', name: /VPP token "Contoso"/, place: 'Apple VPP tokens > select the token > Sync' },
];

describe('checkExpiry on the connectors (real gateway and channels against the Graph simulator, SPEC §14)', () => {
  test('when every connector is in use and healthy, nothing is sent and Intune is read with exactly one $batch per API version', async () => {
    const report = await run();
    expect(runFailure(report)).toBeUndefined();
    expect(report.worst).toBe('ok');
    expect(events()).toEqual([]);
    expect(rx.of('teams').length + rx.of('slack').length + rx.of('pagerduty').length).toBe(0);
    expect(h.graph.requests.map((r) => r.path).sort()).toEqual(['/beta/$batch', '/v1.0/$batch']);
    // Beta-only reads travel in the beta batch, the rest in v1.0: every kind once.
    const byPath = Object.fromEntries(h.graph.requests.map((r) => [r.path, [...r.resources].sort()]));
    expect(byPath).toEqual({
      '/v1.0/$batch': ['apns', 'exchange', 'mtd', 'partners', 'vpp'],
      '/beta/$batch': ['ade', 'autopilot', 'certconnectors', 'connectorstatus', 'googleplay'],
    });
    const kinds = new Set(report.assessments.filter((a) => a.inUse !== false).map((a) => a.kind));
    expect([...kinds].sort()).toEqual(['ade', 'apns', 'autopilot', 'certconnectors', 'connectorstatus', 'exchange', 'googleplay', 'monitor', 'mtd', 'partners', 'vpp']);
  });

  test('when the tenant uses none of the connectors, each is "not in use" and nothing is sent', async () => {
    tenantWith({});
    const report = await run();
    expect(events()).toEqual([]);
    expect(report.assessments.filter((a) => a.inUse === false).map((a) => [a.kind, a.severity]).sort()).toEqual([
      ['autopilot', 'ok'],
      ['certconnectors', 'ok'],
      ['exchange', 'ok'],
      ['googleplay', 'ok'],
      ['mtd', 'ok'],
      ['partners', 'ok'],
    ]);
  });

  test.each(CASES.map((c) => [c.what, c] as const))('when %s, its alert names it with its severity and where to fix it; a second run sends nothing new; repaired, it resolves', async (_what, c) => {
    tenantWith({ ...healthy(), ...c.broken() });
    const first = await run();
    expect(runFailure(first)).toBeUndefined();
    const key = `${h.identity.tenantId}:${c.kind}:${c.assetId}`;
    const alert = events();
    expect(alert.map((e) => [e.type, e.data.key, e.data.severity])).toEqual([['apns.alert', key, c.severity]]);
    expect(alert[0]?.data.asset.name).toMatch(c.name);
    expect(alert[0]?.data.title).toMatch(new RegExp(`^${c.severity.toUpperCase()}: `));
    expect(alert[0]?.data.nextSteps.join('\n')).toContain(c.place);
    expect(alert[0]?.data.links.map((l) => l.url)).toContain('https://intune.microsoft.com/');
    // Every channel carries it, PagerDuty on the same key.
    expect(rx.of('teams')).toHaveLength(1);
    expect(rx.of('slack')).toHaveLength(1);
    expect(rx.of('pagerduty').map((r) => (r.json as { dedup_key: string; event_action: string }).dedup_key)).toEqual([key]);

    await run();
    expect(events()).toEqual([]);
    expect(rx.of('pagerduty')).toEqual([]);

    tenantWith(healthy());
    await run();
    expect(events().map((e) => [e.type, e.data.key])).toEqual([['apns.resolved', key]]);
    expect(rx.of('pagerduty').map((r) => r.json)).toEqual([{ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: key }]);
  });
});
