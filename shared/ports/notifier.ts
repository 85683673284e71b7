import type { AlertEvent } from '../domain/alertEvent';
import { destinationId, type ChannelName, type ChannelPolicy, type DestinationId } from '../domain/channels';
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
   * The customer route (`APNS_ROUTE_<R>_…`) this notifier is a destination of, set by the composition
   * root; undefined for the global channels. The adapter itself knows nothing of routes or tenants:
   * which tenant's messages reach it is decided by the delivery planning.
   */
  readonly route?: string;
  /**
   * A one-way digest of where this channel sends (its URL or key), never the secret itself: a
   * channel switched off after 410 Gone stays off until this changes (the setting was updated).
   */
  readonly fingerprint?: string;
  send(event: AlertEvent): Promise<void>;
}

/** `teams`, or `teams@ACME` for a route's: the key of its delivery state and of its report. */
export function destinationOf(notifier: Notifier): DestinationId {
  return destinationId(notifier.channel, notifier.route);
}

/** What the delivery planning needs of each destination. */
export function channelPolicies(notifiers: readonly Notifier[]): ChannelPolicy[] {
  return notifiers.map((n) => ({ name: destinationOf(n), minSeverity: n.minSeverity, ...(n.route === undefined ? {} : { route: n.route }) }));
}
