import type { AlertEvent } from '../domain/alertEvent';
import type { ChannelName } from '../domain/channels';
import type { MinSeverity } from '../domain/severity';

/**
 * One channel. `send` resolves when the receiver accepted the message and throws an AppError
 * (`delivery_failed`, `retriable` when worth another try, `retryAfterMs` when the receiver said how
 * long to wait; `channel_gone` on 410 Gone) when it did not. Error messages never
 * contain the channel's URL, key or secret.
 */
export interface Notifier {
  readonly channel: ChannelName;
  readonly minSeverity: MinSeverity;
  /**
   * A one-way digest of where this channel sends (its URL or key), never the secret itself: a
   * channel switched off after 410 Gone stays off until this changes (the setting was updated).
   */
  readonly fingerprint?: string;
  send(event: AlertEvent): Promise<void>;
}
