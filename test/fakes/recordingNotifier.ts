import type { AlertEvent } from '../../shared/domain/alertEvent';
import type { ChannelName } from '../../shared/domain/channels';
import { AppError } from '../../shared/domain/errors';
import type { MinSeverity } from '../../shared/domain/severity';
import type { Notifier } from '../../shared/ports/notifier';

/** A channel that records what it accepted and can be told to refuse (retriable or not). */
export function recordingNotifier(channel: ChannelName, minSeverity: MinSeverity = 'notice') {
  const received: AlertEvent[] = [];
  let failures = 0;
  let retriable = true;
  let delayMs = 0;
  const notifier: Notifier & { received: AlertEvent[]; failNext(n: number, opts?: { retriable?: boolean }): void; slow(ms: number): void; attempts: number } = {
    channel,
    minSeverity,
    received,
    attempts: 0,
    failNext(n, opts = {}) {
      failures = n;
      retriable = opts.retriable ?? true;
    },
    slow(ms) {
      delayMs = ms;
    },
    async send(event) {
      notifier.attempts++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failures > 0) {
        failures--;
        throw new AppError('delivery_failed', `${channel} answered 500`, { retriable });
      }
      received.push(event);
    },
  };
  return notifier;
}
