import type { MinSeverity } from './severity';

/** Every place a message can go. `log` is the run's own log (always on). */
export const CHANNEL_NAMES = ['log', 'teams', 'slack', 'email', 'pagerduty', 'webhook', 'appinsights'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The channels a customer route (`APNS_ROUTE_<R>_…`, SPEC §15) can have: the ones with a receiver of their own. */
export const ROUTE_CHANNELS = ['teams', 'slack', 'email', 'pagerduty', 'webhook'] as const satisfies readonly ChannelName[];
export type RouteChannel = (typeof ROUTE_CHANNELS)[number];

/**
 * One destination: a channel of the global settings (`teams`), or of a customer route (`teams@ACME`).
 * Delivery state, 410 Gone and the run's report are kept per destination, so a route has its own
 * at-least-once record of each alert beside the global channel's.
 */
export type DestinationId = string;

export function destinationId(channel: ChannelName, route?: string): DestinationId {
  return route === undefined ? channel : `${channel}@${route}`;
}

/** "the teams channel", or "the teams channel of route ACME": how messages name a destination. */
export function describeDestination(id: DestinationId): string {
  const at = id.indexOf('@');
  return at < 0 ? `the ${id} channel` : `the ${id.slice(0, at)} channel of route ${id.slice(at + 1)}`;
}

/** What the policy needs to know of a destination: its id, its channel, its route and its threshold. */
export interface ChannelPolicy {
  name: DestinationId;
  minSeverity: MinSeverity;
  /** The customer route it belongs to; undefined for the global channels (every tenant's alerts). */
  route?: string;
}

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && (CHANNEL_NAMES as readonly string[]).includes(value);
}
