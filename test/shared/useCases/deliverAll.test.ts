import type { PlannedDelivery } from '../../../shared/domain/planDeliveries';
import type { Logger } from '../../../shared/ports/logger';
import { deliverAll, type DeliveryOptions } from '../../../shared/useCases/deliverAll';
import { apnsEvent } from '../../fakes/events';
import { recordingNotifier } from '../../fakes/recordingNotifier';

// `sleep` is injected: the tests assert the waits asked for, never the clock.

const lines: string[] = [];
const logger: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
let waits: number[] = [];

function options(overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { attempts: 3, backoffMs: 100, maxWaitMs: 60_000, sleep: async (ms) => void waits.push(ms), logger, ...overrides };
}

const to = (channel: PlannedDelivery['channel'], ...ids: string[]): PlannedDelivery[] => ids.map((id) => ({ channel, event: apnsEvent(5, 'alert', id), oneShot: false }));

beforeEach(() => {
  waits = [];
  lines.length = 0;
});

describe('deliverAll', () => {
  test('when a channel refuses without Retry-After, the tries wait the doubling backoff', async () => {
    const teams = recordingNotifier('teams');
    teams.failNext(2);
    const { channels } = await deliverAll(to('teams', 'e1'), [teams], options());
    expect(waits).toEqual([100, 200]);
    expect(channels).toEqual([{ channel: 'teams', sent: 1, failed: 0, errors: [] }]);
  });

  test('when the receiver says Retry-After, that wait replaces the backoff', async () => {
    const slack = recordingNotifier('slack');
    slack.failNext(2, { retryAfterMs: 7_000 });
    const { channels } = await deliverAll(to('slack', 'e1'), [slack], options());
    expect(waits).toEqual([7_000, 7_000]);
    expect(slack.attempts).toBe(3);
    expect(channels[0]).toMatchObject({ sent: 1, failed: 0 });
  });

  test('when the asked wait would go beyond the wait budget, the tries end without waiting and the error says the next run retries', async () => {
    const pagerduty = recordingNotifier('pagerduty');
    pagerduty.failNext(3, { retryAfterMs: 120_000 });
    const { channels, outcomes } = await deliverAll(to('pagerduty', 'e1'), [pagerduty], options({ maxWaitMs: 60_000 }));
    expect(waits).toEqual([]);
    expect(pagerduty.attempts).toBe(1);
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(channels[0]?.errors).toEqual([
      "pagerduty answered 429 Not tried again in this run: the receiver asked to wait 120 s, beyond what is left (60 s) of the run's 60 s wait budget (APNS_GRAPH_MAX_RETRY_SECONDS); it will be retried on the next run.",
    ]);
    expect(lines.filter((l) => l.startsWith('warn'))).toHaveLength(2);
  });

  test('when waits add up over a channel\'s messages, the budget is shared: the message that would pass it stops', async () => {
    const teams = recordingNotifier('teams');
    teams.failNext(2, { retryAfterMs: 30_000 });
    const { outcomes } = await deliverAll(to('teams', 'e1', 'e2'), [teams], options({ maxWaitMs: 45_000 }));
    // e1: one 30 s wait, then a second would make 60 s > 45 s → stops; e2 goes through at once.
    expect(waits).toEqual([30_000]);
    expect(outcomes.map((o) => [o.delivery.event.id, o.ok])).toEqual([
      ['e1', false],
      ['e2', true],
    ]);
  });

  test('when no maxWaitMs is given, a wait of an hour is still refused (the 60 s default budget)', async () => {
    const teams = recordingNotifier('teams');
    teams.failNext(1, { retryAfterMs: 3_600_000 });
    const { maxWaitMs: _omitted, ...rest } = options();
    await deliverAll(to('teams', 'e1'), [teams], rest);
    expect(waits).toEqual([]);
  });

  test('when a channel answers 410 Gone, it is tried once, its other messages are not sent, and the other channels still get theirs', async () => {
    const teams = recordingNotifier('teams');
    const slack = recordingNotifier('slack');
    teams.failNext(5, { code: 'channel_gone' });
    const { channels, outcomes } = await deliverAll([...to('teams', 'e1', 'e2', 'e3'), ...to('slack', 'e1')], [teams, slack], options());
    expect(teams.attempts).toBe(1);
    expect(waits).toEqual([]);
    expect(channels).toEqual([
      { channel: 'slack', sent: 1, failed: 0, errors: [] },
      { channel: 'teams', sent: 0, failed: 3, errors: ['teams answered 410 Gone: the receiver no longer exists.'], gone: 'teams answered 410 Gone: the receiver no longer exists.' },
    ]);
    expect(outcomes.filter((o) => o.delivery.channel === 'teams').map((o) => o.ok)).toEqual([false, false, false]);
  });

  test('when a failure is not retriable, there is one try and no wait', async () => {
    const webhook = recordingNotifier('webhook');
    webhook.failNext(1, { retriable: false });
    await deliverAll(to('webhook', 'e1'), [webhook], options());
    expect([webhook.attempts, waits]).toEqual([1, []]);
  });

  test('when the same refusal repeats for several messages, the report names it once', async () => {
    const teams = recordingNotifier('teams');
    teams.failNext(6);
    const { channels } = await deliverAll(to('teams', 'e1', 'e2'), [teams], options());
    expect(channels[0]).toEqual({ channel: 'teams', sent: 0, failed: 2, errors: ['teams answered 500'] });
  });
});
