import { Webhook } from 'standardwebhooks';
import { createPagerDutyNotifier } from '../../../../shared/adapters/notifiers/pagerduty/pagerDutyNotifier';
import { parseRetryAfter } from '../../../../shared/adapters/notifiers/postJson';
import { createSlackNotifier } from '../../../../shared/adapters/notifiers/slack/slackNotifier';
import { createTeamsNotifier } from '../../../../shared/adapters/notifiers/teams/teamsNotifier';
import { createWebhookNotifier } from '../../../../shared/adapters/notifiers/webhook/webhookNotifier';
import type { AppError } from '../../../../shared/domain/errors';
import type { Notifier } from '../../../../shared/ports/notifier';
import { startChannelReceivers, type ChannelReceivers } from '../../../../shared/simulator/channelReceivers';
import { apnsEvent } from '../../../fakes/events';
import { loopbackTls } from '../../../support/loopbackTls';

// The webhook channels against real loopback HTTPS receivers: what each refusal becomes (SPEC §4).

const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TIMEOUT_MS = 300; // short, so a hanging receiver ends the test quickly
type Channel = 'teams' | 'slack' | 'pagerduty' | 'webhook';
const CHANNELS: Channel[] = ['teams', 'slack', 'pagerduty', 'webhook'];
const GONE_SETTING: Record<Channel, string> = {
  teams: 'APNS_TEAMS_WEBHOOK_URL',
  slack: 'APNS_SLACK_WEBHOOK_URL',
  pagerduty: 'APNS_PAGERDUTY_ROUTING_KEY or APNS_PAGERDUTY_EVENTS_URL',
  webhook: 'APNS_WEBHOOK_URL',
};
const URL_SETTING: Record<Channel, string> = { teams: 'APNS_TEAMS_WEBHOOK_URL', slack: 'APNS_SLACK_WEBHOOK_URL', pagerduty: 'APNS_PAGERDUTY_EVENTS_URL', webhook: 'APNS_WEBHOOK_URL' };

let rx: ChannelReceivers;
let notifiers: Record<Channel, Notifier>;

beforeAll(async () => {
  rx = await startChannelReceivers({ tls: loopbackTls() });
  notifiers = {
    teams: createTeamsNotifier({ webhookUrl: rx.urls.teams, minSeverity: 'notice', timeoutMs: TIMEOUT_MS }),
    slack: createSlackNotifier({ webhookUrl: rx.urls.slack, minSeverity: 'notice', timeoutMs: TIMEOUT_MS }),
    pagerduty: createPagerDutyNotifier({ routingKey: ROUTING_KEY, eventsUrl: rx.urls.pagerduty, minSeverity: 'warning', timeoutMs: TIMEOUT_MS }),
    webhook: createWebhookNotifier({ url: rx.urls.webhook, secret: WEBHOOK_SECRET, minSeverity: 'notice', timeoutMs: TIMEOUT_MS }),
  };
});
afterAll(() => rx.close());
beforeEach(() => rx.clear());

async function refusalOf(sending: Promise<void>): Promise<AppError> {
  try {
    await sending;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('the receiver accepted the message');
}

/** Nothing that locates the receiver: host, port, path, query, key or secret. */
function expectNoWhere(message: string): void {
  const port = new URL(rx.baseUrl).port;
  for (const where of ['https://', 'localhost', port, 'sig=', 'Secr3t', '/teams/', '/slack/', '/webhook/', '/pagerduty/', ROUTING_KEY, WEBHOOK_SECRET]) expect(message).not.toContain(where);
}

/** Waits (bounded) until the receivers hold no request: the client closed what it gave up on. */
async function untilNothingHangs(): Promise<number> {
  for (let i = 0; i < 200 && rx.hanging > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return rx.hanging;
}

describe('webhook channels against loopback receivers', () => {
  test.each(CHANNELS)('when %s accepts, it receives the message once', async (channel) => {
    await notifiers[channel].send(apnsEvent(5));
    expect(rx.of(channel)).toHaveLength(1);
  });

  test('when the webhook is sent, its signature verifies with the standardwebhooks package and another secret fails', async () => {
    await notifiers.webhook.send(apnsEvent(25));
    const hook = rx.of('webhook')[0];
    expect(hook?.headers['webhook-id']).toBe('evt-1');
    expect(new Webhook(WEBHOOK_SECRET).verify(hook?.raw ?? '', hook?.headers ?? {})).toMatchObject({ type: 'apns.alert', id: 'evt-1', data: { tenantName: 'Contoso' } });
    expect(() => new Webhook('whsec_' + Buffer.from('another secret!!').toString('base64')).verify(hook?.raw ?? '', hook?.headers ?? {})).toThrow();
  });

  test.each(CHANNELS)('when %s answers 410 Gone, it throws channel_gone naming the setting to change, not retriable, without the URL', async (channel) => {
    rx.failNext(channel, 410);
    const error = await refusalOf(notifiers[channel].send(apnsEvent(5)));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'channel_gone', retriable: false });
    expect(error.message).toBe(`${channel} answered 410 Gone: the receiver no longer exists. The channel is switched off until ${GONE_SETTING[channel]} changes.`);
    expectNoWhere(error.message);
  });

  test.each([
    ['teams', 301],
    ['slack', 302],
    ['pagerduty', 307],
    ['webhook', 308],
  ] as [Channel, number][])('when %s answers %i, the redirect is not followed and it is a configuration error naming the setting, not "unreachable"', async (channel, status) => {
    rx.failNext(channel, status);
    const error = await refusalOf(notifiers[channel].send(apnsEvent(5)));
    expect(rx.of(channel)).toHaveLength(0); // the Location points back at the receiver: a follow would land here
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'delivery_failed', retriable: false });
    expect(error.message).toBe(`${channel} answered ${status} (a redirect): the configured URL is not the receiver's final https URL; set ${URL_SETTING[channel]} to it.`);
    expectNoWhere(error.message);
  });

  test('when Slack answers 429 with Retry-After in seconds, the error carries the wait and is retriable', async () => {
    rx.failNext('slack', 429, 1, '7');
    const error = await refusalOf(notifiers.slack.send(apnsEvent(5)));
    expect({ retriable: error.retriable, retryAfterMs: error.retryAfterMs, message: error.message }).toEqual({ retriable: true, retryAfterMs: 7000, message: 'slack answered 429 (Retry-After 7 s).' });
  });

  test('when PagerDuty answers 503 with Retry-After as an HTTP date, the error carries a wait', async () => {
    rx.failNext('pagerduty', 503, 1, 'Fri, 01 Jan 2100 00:00:00 GMT');
    const error = await refusalOf(notifiers.pagerduty.send(apnsEvent(5)));
    expect(error.retriable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  test('when a receiver answers 500 with a Retry-After, the wait is not taken from it (only 429 and 503 say how long)', async () => {
    rx.failNext('teams', 500, 1, '9');
    const error = await refusalOf(notifiers.teams.send(apnsEvent(5)));
    expect({ retriable: error.retriable, retryAfterMs: error.retryAfterMs, message: error.message }).toEqual({ retriable: true, retryAfterMs: undefined, message: 'teams answered 500.' });
  });

  test.each(CHANNELS)('when %s answers 200 with a body that never ends, it stops reading after 1 MB with a clear error and the connection is closed', async (channel) => {
    const before = rx.endless.bytes;
    rx.streamEndlesslyNext(channel);
    // A generous timeout, so only the bound can end this read early.
    const patient = { teams: createTeamsNotifier, slack: createSlackNotifier } as const;
    const notifier =
      channel in patient
        ? patient[channel as keyof typeof patient]({ webhookUrl: rx.urls[channel], minSeverity: 'notice', timeoutMs: 20_000 })
        : channel === 'pagerduty'
          ? createPagerDutyNotifier({ routingKey: ROUTING_KEY, eventsUrl: rx.urls.pagerduty, minSeverity: 'warning', timeoutMs: 20_000 })
          : createWebhookNotifier({ url: rx.urls.webhook, secret: WEBHOOK_SECRET, minSeverity: 'notice', timeoutMs: 20_000 });
    const error = await refusalOf(notifier.send(apnsEvent(5)));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'delivery_failed', retriable: false });
    expect(error.message).toBe(`${channel} answered 200 with an answer longer than 1 MB; it was not read, and the delivery is not confirmed (sent again on the next run).`);
    for (let i = 0; i < 200 && rx.endless.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rx.endless.open).toBe(0); // the client hung up instead of reading on
    // What the receiver could push before that: the bound plus socket buffers, nowhere near gigabytes.
    expect(rx.endless.bytes - before).toBeLessThan(64 * 1024 * 1024);
  });

  test.each(CHANNELS)('when %s accepts the connection and never answers, the request is aborted after the configured timeout', async (channel) => {
    rx.hangNext(channel);
    const error = await refusalOf(notifiers[channel].send(apnsEvent(5)));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'delivery_failed', retriable: true });
    expect(error.message).toBe(`${channel}: timed out after 0.3 s (the receiver did not answer; APNS_HTTP_TIMEOUT_SECONDS).`);
    expect(await untilNothingHangs()).toBe(0);
  });
});

describe('fingerprint', () => {
  test('when a notifier is built, its fingerprint is 16 hex characters and nothing of the URL, key or secret shows in it', () => {
    for (const n of Object.values(notifiers)) {
      expect(n.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expectNoWhere(JSON.stringify(n));
    }
  });

  test('when the same setting is given again, the fingerprint is the same; when it changes, so does the fingerprint', () => {
    const teams = (url: string) => createTeamsNotifier({ webhookUrl: url, minSeverity: 'notice' }).fingerprint;
    expect(teams(rx.urls.teams)).toBe(notifiers.teams.fingerprint);
    expect(teams(`${rx.urls.teams}x`)).not.toBe(notifiers.teams.fingerprint);
    const pd = (key: string) => createPagerDutyNotifier({ routingKey: key, eventsUrl: rx.urls.pagerduty, minSeverity: 'warning' }).fingerprint;
    expect(pd(ROUTING_KEY)).toBe(notifiers.pagerduty.fingerprint);
    expect(pd('R0123456789ABCDEF0123456789ABCDF')).not.toBe(notifiers.pagerduty.fingerprint);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  test.each([
    { what: 'seconds', value: '120', expected: 120_000 },
    { what: 'an HTTP date 90 s ahead', value: 'Thu, 01 Jan 2026 12:01:30 GMT', expected: 90_000 },
    { what: 'an HTTP date in the past', value: 'Thu, 01 Jan 2026 11:00:00 GMT', expected: 0 },
    { what: 'words', value: 'soon', expected: undefined },
    { what: 'absent', value: null, expected: undefined },
  ])('when Retry-After is $what, the wait is $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
