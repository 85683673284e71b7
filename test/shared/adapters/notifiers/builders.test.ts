import { buildEmailMessage } from '../../../../shared/adapters/notifiers/email/buildEmailMessage';
import { buildPagerDutyEvent, PAGERDUTY_LIMITS } from '../../../../shared/adapters/notifiers/pagerduty/buildPagerDutyEvent';
import { buildSlackMessage } from '../../../../shared/adapters/notifiers/slack/buildSlackMessage';
import { buildTeamsMessage, TEAMS_MAX_BYTES } from '../../../../shared/adapters/notifiers/teams/buildTeamsMessage';
import { buildWebhookEvent } from '../../../../shared/adapters/notifiers/webhook/buildWebhookEvent';
import type { AlertEvent } from '../../../../shared/domain/alertEvent';
import { apnsEvent, connectorEvent, monitorEvent, partnerEvent } from '../../../fakes/events';
import { APPLE_ID, TOPIC } from '../../../fakes/snapshots';

// In Node the adaptivecards lib/ build does not resolve; its UMD bundle does (SPEC §4).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

/** Parses a card the way Teams' renderer does and returns the parse events (errors and warnings). */
function parseEvents(card: unknown): { event: number; message: string }[] {
  const context = new AC.SerializationContext();
  const adaptive = new AC.AdaptiveCard();
  adaptive.parse(card, context);
  const events: { event: number; message: string }[] = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
  return events;
}

const cardOf = (message: Record<string, unknown>) => (message.attachments as { content: Record<string, unknown> }[])[0]?.content;

describe('buildTeamsMessage', () => {
  test.each([
    ['a warning', 'warning', apnsEvent(25)],
    ['a critical alert', 'attention', apnsEvent(5)],
    ['an expired certificate', 'attention', apnsEvent(-3)],
    ['a notice', 'accent', apnsEvent(45)],
    ['a resolution', 'good', apnsEvent(365, 'resolved')],
    ['a connector alert', 'attention', connectorEvent()],
    ['a partner deadline', 'warning', partnerEvent(20)],
  ])('when the event is %s, the card parses with zero events and its header is %s', (_what, style, event) => {
    const message = buildTeamsMessage(event);
    expect(message).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    const card = cardOf(message);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(parseEvents(card)).toEqual([]);
    expect((card?.body as { style?: string }[])[0]?.style).toBe(style);
  });

  test('when a card is wrong (unknown element, bad style), the parser does report it: the check above can fail', () => {
    const bad = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }, { type: 'Container', style: 'loud', items: [] }] };
    expect(parseEvents(bad).map((e) => e.message)).toEqual(['Unknown element type "Bogus". Fallback will be used if present.', 'Invalid value "loud" for property "style".']);
  });

  test('when the certificate is at 25 days, the card has the facts, the next step in words and both buttons', () => {
    const card = cardOf(buildTeamsMessage(apnsEvent(25)));
    const text = JSON.stringify(card);
    const facts = (card?.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')?.facts;
    expect(facts?.map((f) => f.title)).toEqual(['Tenant', 'Asset', 'Severity', 'Apple ID', 'Topic', 'Expires (UTC)', 'Days left']);
    expect(facts).toEqual(expect.arrayContaining([{ title: 'Apple ID', value: APPLE_ID }, { title: 'Topic', value: TOPIC }, { title: 'Days left', value: '25' }]));
    expect(text).toContain(`Renew in the Apple Push Certificates Portal signed in as ${APPLE_ID} — renew the existing certificate`);
    expect(text).toContain('not a new certificate');
    expect(card?.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Intune admin center', url: 'https://intune.microsoft.com/' },
      { type: 'Action.OpenUrl', title: 'Apple Push Certificates Portal', url: 'https://identity.apple.com/pushcert/' },
    ]);
  });

  test('when the findings are huge, the message is cut to stay at most 28 KB and still parses', () => {
    const event: AlertEvent = { ...apnsEvent(5), summary: 'x'.repeat(60_000), nextSteps: ['y'.repeat(20_000), 'z'.repeat(20_000)] };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(parseEvents(cardOf(message))).toEqual([]);
  });
});

describe('buildSlackMessage', () => {
  test('when the certificate is critical, it has fallback text and Block Kit blocks within Slack limits', () => {
    const message = buildSlackMessage(apnsEvent(5));
    expect(message.text).toMatch(/^CRITICAL: Apple MDM push certificate expires in 5 days .*\(Contoso\)$/);
    expect(message.blocks.map((b) => (b as { type: string }).type)).toEqual(['header', 'section', 'section', 'section', 'actions', 'context']);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const fields = (message.blocks[2] as { fields: { text: string }[] }).fields;
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(message)).toContain('https://identity.apple.com/pushcert/');
  });

  test('when a name holds <, > or &, it is escaped for mrkdwn', () => {
    const event = { ...apnsEvent(5), summary: 'a <b> & c' };
    expect(JSON.stringify(buildSlackMessage(event))).toContain('a &lt;b&gt; &amp; c');
  });
});

describe('buildEmailMessage', () => {
  test('when the certificate is at warning, the subject says so and the HTML escapes and lists the steps', () => {
    const event = { ...apnsEvent(25), summary: 'Token <script>alert(1)</script>' };
    const mail = buildEmailMessage(event);
    expect(mail.subject).toMatch(/^\[Intune APNs monitor\] WARNING: Apple MDM push certificate expires in 25 days .* — Contoso$/);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toMatch(/<ol><li>Renew in the Apple Push Certificates Portal/);
    expect(mail.text.split('\n')[0]).toMatch(/^WARNING: Apple MDM push certificate/);
  });
});

describe('buildPagerDutyEvent', () => {
  const KEY = 'R0123456789ABCDEF0123456789ABCDE';
  test.each([
    [45, 'info'],
    [25, 'warning'],
    [5, 'error'],
    [-2, 'critical'],
  ])('when the certificate is at %i days, it triggers with severity %s and every required field', (d, severity) => {
    const body = buildPagerDutyEvent(apnsEvent(d), KEY) as { payload: Record<string, unknown> } & Record<string, unknown>;
    expect(body).toMatchObject({ routing_key: KEY, event_action: 'trigger', dedup_key: `contoso:apns:${TOPIC}` });
    expect(body.payload).toMatchObject({ severity, source: 'intune-apns-monitor/contoso', component: 'APNs certificate', group: 'Contoso' });
    expect(['info', 'warning', 'error', 'critical']).toContain(body.payload.severity);
    expect(typeof body.payload.summary).toBe('string');
    expect((body.payload.summary as string).length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(Date.parse(body.payload.timestamp as string)).not.toBeNaN();
    expect(body.links).toEqual([
      { href: 'https://intune.microsoft.com/', text: 'Intune admin center' },
      { href: 'https://identity.apple.com/pushcert/', text: 'Apple Push Certificates Portal' },
    ]);
    expect((body.payload.custom_details as Record<string, unknown>).apple_id).toBe(APPLE_ID);
  });

  test('when the event resolves, it is a resolve on the same dedup_key', () => {
    expect(buildPagerDutyEvent(apnsEvent(365, 'resolved'), KEY)).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: `contoso:apns:${TOPIC}` });
  });

  test('when the summary would be longer than 1024 characters, it is cut', () => {
    const body = buildPagerDutyEvent({ ...apnsEvent(5), title: 'T'.repeat(5000) }, KEY) as { payload: { summary: string } };
    expect(body.payload.summary.length).toBe(1024);
  });
});

describe('webhook event', () => {
  test.each([
    ['an alert', 'apns.alert', apnsEvent(25)],
    ['a reminder', 'apns.alert', apnsEvent(25, 'reminder')],
    ['a resolution', 'apns.resolved', apnsEvent(365, 'resolved')],
    ['a monitor failure', 'apns.monitor_failed', monitorEvent()],
  ])('when the event is %s, its type is %s and data is version 1', (_what, type, event) => {
    const body = buildWebhookEvent(event);
    expect(body).toMatchObject({ type, id: event.id, data: { version: 1, key: event.key, tenantName: 'Contoso' } });
  });
});

describe('every channel on a connector (SPEC §14)', () => {
  test('when the Defender connector is unresponsive, each channel names it, its last heartbeat, where to fix it and the Defender portal', () => {
    const event = connectorEvent();
    const facts = (cardOf(buildTeamsMessage(event))?.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')?.facts;
    expect(facts).toEqual([
      { title: 'Tenant', value: 'Contoso (contoso)' },
      { title: 'Asset', value: 'MTD connector (Microsoft Defender for Endpoint)' },
      { title: 'Severity', value: 'critical' },
      { title: 'Last sync (UTC)', value: '2026-11-23T03:00:00Z' },
    ]);
    const slack = JSON.stringify(buildSlackMessage(event));
    expect(slack).toContain('Tenant administration &gt; Connectors and tokens &gt; Mobile Threat Defense'); // Slack's own escaping of >
    expect(buildEmailMessage(event).text).toMatch(/^CRITICAL: The Mobile Threat Defense connector to Microsoft Defender for Endpoint is unresponsive/);
    const pd = buildPagerDutyEvent(event, 'rk') as { payload: { component: string; custom_details: Record<string, unknown> }; links: { href: string }[] };
    expect(pd.payload.component).toBe('Mobile Threat Defense connector');
    expect(pd.payload.custom_details).toMatchObject({ asset: 'MTD connector (Microsoft Defender for Endpoint)', last_sync_utc: '2026-11-23T03:00:00.000Z', days_left: null });
    expect(pd.links.map((l) => l.href)).toEqual(['https://intune.microsoft.com/', 'https://security.microsoft.com/']);
    const hook = buildWebhookEvent(event);
    expect(hook).toMatchObject({ type: 'apns.alert', data: { key: 'contoso:mtd:fc780465-2017-40d4-a0c5-307022471b92', asset: { kind: 'mtd', lastSyncAt: '2026-11-23T03:00:00.000Z', expiresAt: null } } });
  });

  test("when a partner's non-compliance date has passed, the facts name that date for what it is, never an expiry", () => {
    const facts = (cardOf(buildTeamsMessage(partnerEvent(-2)))?.body as { type: string; facts?: { title: string; value: string }[] }[]).find((b) => b.type === 'FactSet')?.facts;
    expect(facts).toEqual(expect.arrayContaining([{ title: 'Devices non-compliant from (UTC)', value: '2026-11-21T08:00:00Z' }, { title: 'Days left', value: 'passed 2 days ago' }]));
    expect(JSON.stringify(facts)).not.toContain('Expires');
  });
});

describe('an acknowledgement in every channel (SPEC §15)', () => {
  const acked = (status: 'active' | 'escalated'): AlertEvent => ({
    ...apnsEvent(5),
    acknowledgement: { by: 'ada@msp.example', reason: 'Renewal booked <b>Thursday</b> & *bold*', severity: 'warning', at: Date.UTC(2026, 10, 20), until: Date.UTC(2026, 10, 26), status },
  });

  test('when a worse severity broke through an acknowledgement, the webhook data says who, why, until when and that it ended', () => {
    expect(buildWebhookEvent(acked('escalated')).data.acknowledgement).toEqual({
      by: 'ada@msp.example',
      reason: 'Renewal booked <b>Thursday</b> & *bold*',
      severity: 'warning',
      at: '2026-11-20T00:00:00.000Z',
      until: '2026-11-26T00:00:00.000Z',
      status: 'escalated',
    });
    expect(buildWebhookEvent(apnsEvent(5)).data.acknowledgement).toBeNull();
  });

  test('when the people channels show it, it is a fact in their own escaping, and the card still parses', () => {
    const card = cardOf(buildTeamsMessage(acked('escalated')));
    expect(parseEvents(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('ended: the severity got worse: by ada@msp.example until 2026-11-26T00:00:00Z');
    const mail = buildEmailMessage(acked('active'));
    expect(mail.html).toContain('Renewal booked &lt;b&gt;Thursday&lt;/b&gt; &amp; *bold*');
    expect(mail.html).not.toContain('<b>Thursday</b>');
    expect(JSON.stringify(buildSlackMessage(acked('active')))).toContain('yes, reminders paused');
  });
});
