import type { AlertEvent } from '../domain/alertEvent';
import type { ChannelName } from '../domain/channels';
import type { MinSeverity } from '../domain/severity';

/**
 * One channel. `send` resolves when the receiver accepted the message and throws an AppError
 * (`delivery_failed`, `retriable` when worth another try) when it did not. Error messages never
 * contain the channel's URL, key or secret.
 */
export interface Notifier {
  readonly channel: ChannelName;
  readonly minSeverity: MinSeverity;
  send(event: AlertEvent): Promise<void>;
}
