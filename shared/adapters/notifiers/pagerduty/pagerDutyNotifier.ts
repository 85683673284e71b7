import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import type { MessageContext } from '../messageContext';
import { ensureAccepted, postJson } from '../postJson';
import { buildPagerDutyEvent } from './buildPagerDutyEvent';

/**
 * PagerDuty Events API v2: 202 accepted; 400 is a bad event (final); 429 and 5xx are retried with
 * backoff by the delivery loop, as PagerDuty asks.
 */
export function createPagerDutyNotifier(config: { routingKey: string; eventsUrl: string; minSeverity: MinSeverity }, ctx: MessageContext): Notifier {
  return {
    channel: 'pagerduty',
    minSeverity: config.minSeverity,
    async send(event) {
      ensureAccepted('pagerduty', await postJson('pagerduty', config.eventsUrl, buildPagerDutyEvent(event, ctx, config.routingKey)));
    },
  };
}
