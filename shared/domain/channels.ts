import type { MinSeverity } from './severity';

/** Every place a message can go. `log` is the run's own log (always on). */
export const CHANNEL_NAMES = ['log', 'teams', 'slack', 'email', 'pagerduty', 'webhook', 'appinsights'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** What the policy needs to know of a channel: its name and its threshold. */
export interface ChannelPolicy {
  name: ChannelName;
  minSeverity: MinSeverity;
}

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && (CHANNEL_NAMES as readonly string[]).includes(value);
}
