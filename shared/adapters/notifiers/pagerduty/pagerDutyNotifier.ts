import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';
import { ensureAccepted, postJson } from '../postJson';
import { buildPagerDutyEvent } from './buildPagerDutyEvent';

/**
 * PagerDuty Events API v2: 202 accepted; 400 is a bad event (final); 429 and 5xx are retried with
 * backoff (or after `Retry-After`) by the delivery loop, as PagerDuty asks.
 */
export function createPagerDutyNotifier(config: { routingKey: string; eventsUrl: string; minSeverity: MinSeverity; timeoutMs?: number; settingPrefix?: string }): Notifier {
  const prefix = config.settingPrefix ?? 'APNS_';
  return {
    channel: 'pagerduty',
    minSeverity: config.minSeverity,
    fingerprint: fingerprintOf('pagerduty', config.eventsUrl, config.routingKey),
    async send(event) {
      const result = await postJson('pagerduty', config.eventsUrl, buildPagerDutyEvent(event, config.routingKey), { timeoutMs: config.timeoutMs });
      ensureAccepted('pagerduty', result, { url: 'APNS_PAGERDUTY_EVENTS_URL', gone: `${prefix}PAGERDUTY_ROUTING_KEY or APNS_PAGERDUTY_EVENTS_URL` });
    },
  };
}
