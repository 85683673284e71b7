import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { shutdownAppInsights } from '../../../shared/adapters/notifiers/appinsights/appInsightsClient';
import { loadConfig } from '../../../shared/config/loadConfig';
import { checkOptionsFrom, createCheckDeps } from '../../../shared/composition/createServices';
import type { Logger } from '../../../shared/ports/logger';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { checkExpiry, runFailure } from '../../../shared/useCases/checkExpiry';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

const DAY = 86_400_000;
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let h: TenantHarness;
let rx: ChannelReceivers;
let dir: string;
let stateFile: string;
let n = 0;
const lines: string[] = [];
const logger: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };

beforeAll(async () => {
  h = await startTenantHarness();
  h.useIdentityEnv();
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-channels-'));
});
afterAll(async () => {
  await shutdownAppInsights();
  await Promise.all([h.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.clear();
  h.graph.reset();
  lines.length = 0;
  stateFile = join(dir, `state-${++n}.json`);
});

const config = () =>
  loadConfig({
    ...h.env,
    APNS_TENANT_NAME: 'Contoso',
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
    APNS_SLACK_WEBHOOK_URL: rx.urls.slack,
    APNS_EMAIL_FROM: 'apns-monitor@contoso.com',
    APNS_EMAIL_TO: 'oncall@contoso.com,intune@contoso.com',
    APNS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_WEBHOOK_URL: rx.urls.webhook,
    APNS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=${rx.urls.appinsights}`,
  });

async function run(days: number) {
  h.graph.tenant.apns = apnsFixture({ expiresAt: Date.now() + days * DAY + 3_600_000 });
  const cfg = config();
  const deps = await createCheckDeps(cfg, { logger, stateFile });
  const report = await checkExpiry(deps, checkOptionsFrom(cfg, { deliveryBackoffMs: 5 }));
  await deps.telemetry.flush();
  return report;
}

/** What each channel received since the last clear, as "channel:kind". */
function received() {
  const aiEvents = rx.of('appinsights').flatMap((r) => (Array.isArray(r.json) ? r.json : []))
    .filter((i: { data?: { baseType?: string } }) => i.data?.baseType === 'EventData')
    .map((i: { data: { baseData: { name: string } } }) => i.data.baseData.name);
  return {
    teams: rx.of('teams').length,
    slack: rx.of('slack').length,
    pagerduty: rx.of('pagerduty').map((r) => (r.json as { event_action: string }).event_action),
    webhook: rx.of('webhook').map((r) => (r.json as { type: string }).type),
    email: h.graph.mails.length,
    appinsights: aiEvents.filter((name: string) => name !== 'ApnsCheckCompleted'),
  };
}

describe('checkExpiry through every channel (loopback HTTPS receivers, Graph sendMail, App Insights ingestion)', () => {
  test('when the certificate is at 25 days, each channel gets one message with the right content; the second run sends none', async () => {
    const report = await run(25);
    expect(runFailure(report)).toBeUndefined();
    expect(received()).toEqual({ teams: 1, slack: 1, pagerduty: ['trigger'], webhook: ['apns.alert'], email: 1, appinsights: ['ApnsAlert'] });

    const teams = rx.of('teams')[0]?.json as { attachments: { content: { body: unknown[] } }[] };
    expect(JSON.stringify(teams.attachments[0]?.content)).toContain('expires in 25 days');
    const pd = rx.of('pagerduty')[0]?.json as { routing_key: string; dedup_key: string; payload: { severity: string } };
    expect(pd).toMatchObject({ routing_key: ROUTING_KEY, dedup_key: `${h.identity.tenantId}:apns:${apnsFixture().topicIdentifier}`, payload: { severity: 'warning' } });
    const hook = rx.of('webhook')[0];
    expect(new Webhook(WEBHOOK_SECRET).verify(hook?.raw ?? '', hook?.headers ?? {})).toMatchObject({ type: 'apns.alert', data: { severity: 'warning' } });
    const mail = h.graph.mails[0] as { from: string; body: { message: { subject: string; toRecipients: unknown[]; body: { contentType: string } } } };
    expect(mail.from).toBe('apns-monitor@contoso.com');
    expect(mail.body.message.subject).toMatch(/WARNING: Apple MDM push certificate expires in 25 days/);
    expect(mail.body.message.toRecipients).toHaveLength(2);
    expect(mail.body.message.body.contentType).toBe('HTML');
    const ai = rx.of('appinsights').flatMap((r) => r.json as { data: { baseType: string; baseData: { name?: string; metrics?: { name: string; value: number }[] } } }[]);
    expect(ai.some((i) => i.data.baseData.name === 'ApnsCheckCompleted')).toBe(true);
    expect(ai.flatMap((i) => i.data.baseData.metrics ?? [])).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ApnsDaysRemaining', value: 25 })]));

    rx.clear();
    h.graph.reset();
    await run(25);
    expect(received()).toEqual({ teams: 0, slack: 0, pagerduty: [], webhook: [], email: 0, appinsights: [] });
    expect(rx.of('appinsights').length).toBeGreaterThan(0); // the heartbeat and metric still go every run
  });

  test('when it then drops to 5 days, every channel gets the critical alert and PagerDuty keeps the dedup_key; renewal resolves everywhere', async () => {
    await run(25);
    const key = (rx.of('pagerduty')[0]?.json as { dedup_key: string }).dedup_key;
    rx.clear();
    h.graph.reset();
    await run(5);
    expect(received()).toEqual({ teams: 1, slack: 1, pagerduty: ['trigger'], webhook: ['apns.alert'], email: 1, appinsights: ['ApnsAlert'] });
    expect(rx.of('pagerduty')[0]?.json).toMatchObject({ dedup_key: key, payload: { severity: 'error' } });
    expect(JSON.stringify(rx.of('teams')[0]?.json)).toContain('"style":"attention"');

    rx.clear();
    h.graph.reset();
    await run(400);
    expect(received()).toEqual({ teams: 1, slack: 1, pagerduty: ['resolve'], webhook: ['apns.resolved'], email: 1, appinsights: ['ApnsResolved'] });
    expect(rx.of('pagerduty')[0]?.json).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: key });
    expect(JSON.stringify(rx.of('slack')[0]?.json)).toContain('RESOLVED: Apple MDM push certificate renewed');
  });

  test('when Teams answers 500 on the first run, it gets the message on the second while the others get nothing new', async () => {
    rx.failNext('teams', 500, 3); // every try of this run
    const first = await run(25);
    expect(first.deliveryFailed).toBe(true);
    expect(runFailure(first)?.message).toMatch(/teams \(teams answered 500\.\)/);
    expect(received()).toMatchObject({ teams: 0, slack: 1, pagerduty: ['trigger'], webhook: ['apns.alert'], email: 1 });
    const firstWebhookId = rx.of('webhook')[0]?.headers['webhook-id'];

    rx.clear();
    h.graph.reset();
    const second = await run(25);
    expect(runFailure(second)).toBeUndefined();
    expect(received()).toEqual({ teams: 1, slack: 0, pagerduty: [], webhook: [], email: 0, appinsights: [] });
    expect(firstWebhookId).toBeDefined();
  });

  test('when PagerDuty throttles once (429), the run retries within itself and succeeds', async () => {
    rx.failNext('pagerduty', 429, 1, '1');
    const report = await run(25);
    expect(report.channels.find((c) => c.channel === 'pagerduty')).toEqual({ channel: 'pagerduty', sent: 1, failed: 0, errors: [] });
    expect(lines.join('\n')).toMatch(/Channel pagerduty refused alert .* \(try 1\/3\): pagerduty answered 429/);
  });

  test('when Graph refuses sendMail with 403, the e-mail channel names Mail.Send and is not retried in the run', async () => {
    h.graph.addFault({ resource: 'sendMail', status: 403 });
    const report = await run(25);
    expect(report.channels.find((c) => c.channel === 'email')).toEqual({
      channel: 'email',
      sent: 0,
      failed: 1,
      errors: ['email answered 403: the identity lacks the Graph application permission Mail.Send for apns-monitor@contoso.com.'],
    });
  });
});
