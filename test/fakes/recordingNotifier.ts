import type { AlertEvent } from '../../shared/domain/alertEvent';
import type { ChannelName } from '../../shared/domain/channels';
import { AppError, type ErrorCode } from '../../shared/domain/errors';
import type { MinSeverity } from '../../shared/domain/severity';
import type { Notifier } from '../../shared/ports/notifier';

export interface FailOptions {
  retriable?: boolean;
  /** What the receiver asked to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** `delivery_failed` (default) or `channel_gone` (410). */
  code?: Extract<ErrorCode, 'delivery_failed' | 'channel_gone'>;
}

/** A channel that records what it accepted and can be told to refuse (retriable or not, with Retry-After, gone). */
export function recordingNotifier(channel: ChannelName, minSeverity: MinSeverity = 'notice') {
  const received: AlertEvent[] = [];
  let failures = 0;
  let fail: FailOptions = {};
  let delayMs = 0;
  const notifier: Notifier & { received: AlertEvent[]; failNext(n: number, opts?: FailOptions): void; slow(ms: number): void; attempts: number } = {
    channel,
    minSeverity,
    fingerprint: `fp-${channel}`,
    received,
    attempts: 0,
    failNext(n, opts = {}) {
      failures = n;
      fail = opts;
    },
    slow(ms) {
      delayMs = ms;
    },
    async send(event) {
      notifier.attempts++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failures > 0) {
        failures--;
        if (fail.code === 'channel_gone') throw new AppError('channel_gone', `${channel} answered 410 Gone: the receiver no longer exists.`);
        const retryAfterMs = fail.retryAfterMs;
        throw new AppError('delivery_failed', `${channel} answered ${retryAfterMs === undefined ? 500 : 429}`, {
          retriable: fail.retriable ?? true,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      received.push(event);
    },
  };
  return notifier;
}
