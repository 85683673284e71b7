import type { TelemetryClient } from 'applicationinsights';
import type { AlertEvent } from '../../../domain/alertEvent';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';

export function appInsightsEventName(event: AlertEvent): 'ApnsAlert' | 'ApnsResolved' | 'ApnsRenewal' | 'ApnsRenewalProposal' {
  if (event.type === 'renewed') return 'ApnsRenewal';
  if (event.type === 'proposal') return 'ApnsRenewalProposal';
  return event.type === 'resolved' ? 'ApnsResolved' : 'ApnsAlert';
}

/**
 * Every message also lands in Application Insights as a custom event (queryable, alertable). The
 * client is loaded when the first message is sent (`appInsightsClient`), not when the channel is made.
 */
export function createAppInsightsNotifier(client: () => Promise<TelemetryClient>, connectionString: string): Notifier {
  return {
    channel: 'appinsights',
    minSeverity: 'notice',
    fingerprint: fingerprintOf('appinsights', connectionString),
    async send(event) {
      (await client()).trackEvent({
        name: appInsightsEventName(event),
        properties: {
          eventId: event.id,
          eventType: event.type,
          key: event.key,
          tenantId: event.tenantId,
          tenantName: event.tenantName,
          severity: event.severity,
          previousSeverity: event.previousSeverity ?? '',
          kind: event.asset.kind,
          asset: event.asset.name,
          appleId: event.asset.appleId ?? '',
          topic: event.asset.topic ?? '',
          title: event.title,
        },
        measurements: event.asset.daysRemaining === undefined ? {} : { daysRemaining: event.asset.daysRemaining },
      });
    },
  };
}
