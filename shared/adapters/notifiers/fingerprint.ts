import { createHash } from 'node:crypto';
import type { ChannelName } from '../../domain/channels';

/**
 * A short one-way digest of where a channel sends (URL, routing key, sender and recipients): the
 * state can remember "switched off after 410 Gone until this changes" without holding the secret.
 * 64 bits of SHA-256 tell settings apart; they cannot be turned back into a URL or key.
 */
export function fingerprintOf(channel: ChannelName, ...where: readonly string[]): string {
  return createHash('sha256').update(['intune-apns-monitor', channel, ...where].join('\u0000')).digest('hex').slice(0, 16);
}
