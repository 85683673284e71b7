import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkApnsExpiry } from '../../functions/checkApnsExpiry';
import { main } from '../../shared/cli/main';
import { startChannelReceivers, type ChannelReceivers } from '../../shared/simulator/channelReceivers';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { bufferIo } from '../support/bufferIo';
import { recordingContext, timer, withAppSettings } from '../support/functionEnv';
import { loopbackTls } from '../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

const ROUTING_KEY = 'R9876543210FEDCBA9876543210FEDCB';
const WEBHOOK_SECRET = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LW5vdC10by1sZWFr';
let h: TenantHarness;
let rx: ChannelReceivers;
let dir: string;
let closedPort: number;

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-secrets-'));
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
});
afterAll(async () => {
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function settings() {
  return {
    ...h.env,
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
    // A Slack URL whose host refuses connections: the network-error path.
    APNS_SLACK_WEBHOOK_URL: `https://localhost:${closedPort}/slack/services/T000/B000/SlackSecretPathValue`,
    APNS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_WEBHOOK_URL: rx.urls.webhook,
    APNS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    APNS_DELIVERY_ATTEMPTS: '1',
  };
}

/** Everything that must never be printed. */
function secrets(): string[] {
  const teamsSig = /sig=([^&]+)/.exec(rx.urls.teams)?.[1] as string;
  return [ROUTING_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length), teamsSig, rx.urls.teams, 'SlackSecretPathValue', h.identity.header, ...h.identity.tokens];
}

function expectNoSecret(text: string) {
  expect(h.identity.tokens.length).toBeGreaterThan(0); // a token was issued, so this check means something
  for (const secret of secrets()) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/Bearer\s+\S{10,}/);
}

describe('secrets stay secret', () => {
  test('when every channel fails (500s, a refused connection), no secret appears in the CLI output or its logs', async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 5 * 86_400_000 });
    rx.failNext('teams', 500, 5);
    rx.failNext('pagerduty', 500, 5);
    rx.failNext('webhook', 500, 5);
    const io = bufferIo(settings(), dir);
    const code = await main(['check', '--verbose', '--state-file', join(dir, 'cli.json')], io);
    expect(code).toBe(3);
    const text = io.text();
    expect(text).toMatch(/teams answered 500/);
    expect(text).toMatch(/slack: the receiver could not be reached/);
    expect(text).toMatch(/pagerduty answered 500/);
    expectNoSecret(text);
  });

  test('when the Function runs with failing channels and a Graph failure, no secret appears in its log lines or error', async () => {
    for (const resource of ['apns', 'vpp', 'ade'] as const) h.graph.addFault({ resource, status: 403 });
    rx.failNext('teams', 500, 5);
    const restore = withAppSettings({ ...settings(), AzureWebJobsStorage: process.env.APNS_TEST_TABLE_CONNECTION, APNS_STATE_TABLE: uniqueTableName('sec') });
    const context = recordingContext('checkApnsExpiry');
    try {
      const error = await checkApnsExpiry(timer(), context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expectNoSecret(`${context.lines.join('\n')}\n${(error as Error).message}\n${JSON.stringify(error)}`);
      expect(context.lines.join('\n')).toMatch(/teams answered 500/);
    } finally {
      restore();
      h.graph.reset();
    }
  });

  test('when the settings are wrong, the config error does not echo a secret value', async () => {
    const io = bufferIo({ ...settings(), APNS_TEAMS_WEBHOOK_URL: 'http://insecure.example/hook?sig=PlainTextSig123', APNS_WEBHOOK_SECRET: 'not-a-whsec-TopSecret' }, dir);
    expect(await main(['check', '--state-file', join(dir, 'bad.json')], io)).toBe(3);
    expect(io.text()).toContain('APNS_TEAMS_WEBHOOK_URL: must be an https:// URL');
    expect(io.text()).not.toMatch(/PlainTextSig123|TopSecret/);
  });

  test("when a customer route's channels fail or are misconfigured, none of its URLs, keys or secrets appear, and its setting is named", async () => {
    h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + 5 * 86_400_000 });
    const routeKey = 'R0ROUTER0ROUTER0ROUTER0ROUTER0RO';
    const routeSecret = 'whsec_cm91dGUtc2lnbmluZy1rZXktbm90LXRvLWxlYWs=';
    const route = {
      APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: `${rx.urls.teams.replace('sig=', 'sig=AcmeRouteSig')}`,
      APNS_ROUTE_ACME_PAGERDUTY_ROUTING_KEY: routeKey,
      APNS_ROUTE_ACME_WEBHOOK_URL: `${rx.baseUrl}/webhook/AcmeRouteHookPath`,
      APNS_ROUTE_ACME_WEBHOOK_SECRET: routeSecret,
      APNS_TENANT_ROUTES: `${h.identity.tenantId}=ACME`,
    };
    rx.failNext('teams', 410, 1);
    rx.failNext('webhook', 500, 10);
    rx.failNext('pagerduty', 500, 10);
    const io = bufferIo({ ...settings(), APNS_TEAMS_WEBHOOK_URL: '', APNS_WEBHOOK_URL: '', APNS_WEBHOOK_SECRET: '', APNS_PAGERDUTY_ROUTING_KEY: '', ...route }, dir);
    expect(await main(['check', '--verbose', '--state-file', join(dir, 'route.json')], io)).toBe(3);
    const text = io.text();
    expect(text).toContain('until APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL changes');
    expect(text).toMatch(/teams@ACME/);
    expectNoSecret(text);
    for (const secret of ['AcmeRouteSig', 'AcmeRouteHookPath', routeKey, routeSecret, routeSecret.slice('whsec_'.length)]) expect(text).not.toContain(secret);

    const bad = bufferIo({ ...settings(), ...route, APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: 'http://acme.example/hook?sig=AcmePlainSig', APNS_ROUTE_ACME_WEBHOOK_SECRET: 'AcmeNotWhsecTopSecret' }, dir);
    expect(await main(['check', '--state-file', join(dir, 'route-bad.json')], bad)).toBe(3);
    expect(bad.text()).toContain('APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: must be an https:// URL');
    expect(bad.text()).not.toMatch(/AcmePlainSig|AcmeNotWhsecTopSecret/);
  });
});
