import { INTUNE_ADMIN_CENTER_URL, type AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { formatUtc } from '../../../domain/graphDateTime';
import { clampEvent, kindLabel, oneLine, TEXT_LIMITS, truncate } from '../describeEvent';

/**
 * PagerDuty's four severities. `expired` is `critical` (devices are unmanageable now); `critical`
 * (≤ 7 days) is `error`: urgent, but still time to renew; notice is `info`.
 */
export const PAGERDUTY_SEVERITY: Record<Exclude<Severity, 'ok'>, 'info' | 'warning' | 'error' | 'critical'> = {
  notice: 'info',
  warning: 'warning',
  critical: 'error',
  expired: 'critical',
};

export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255 } as const;

/** `resolve` for resolutions and renewals of the same key; `trigger` otherwise. */
export function pagerDutyAction(event: AlertEvent): 'trigger' | 'resolve' {
  return event.type === 'resolved' || event.type === 'renewed' ? 'resolve' : 'trigger';
}

/**
 * An Events API v2 body. `dedup_key` is the alert key (whole, as it is), so a trigger and its
 * resolve meet; the text people read is cut (`clampEvent`) and the summary kept on one line.
 */
export function buildPagerDutyEvent(original: AlertEvent, routingKey: string): Record<string, unknown> {
  const action = pagerDutyAction(original);
  const dedupKey = truncate(original.key, PAGERDUTY_LIMITS.dedupKey);
  if (action === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const event = clampEvent(original, { ...TEXT_LIMITS, title: PAGERDUTY_LIMITS.summary });
  const a = event.asset;
  const severity = event.severity === 'ok' ? 'info' : PAGERDUTY_SEVERITY[event.severity];
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(oneLine(`${event.title} (${event.tenantName})`), PAGERDUTY_LIMITS.summary),
      source: `intune-apns-monitor/${event.tenantId}`,
      severity,
      timestamp: formatUtc(event.occurredAt),
      component: kindLabel(event),
      group: event.tenantName,
      class: event.findings[0]?.code ?? event.type,
      custom_details: {
        tenant: event.tenantName,
        tenant_id: event.tenantId,
        asset: a.name,
        apple_id: a.appleId ?? null,
        topic: a.topic ?? null,
        expires_utc: a.expiresAt === undefined ? null : formatUtc(a.expiresAt),
        days_left: a.daysRemaining ?? null,
        last_sync_utc: a.lastSyncAt === undefined ? null : formatUtc(a.lastSyncAt),
        what: event.summary,
        next_steps: event.nextSteps,
        event_id: event.id,
        event_type: event.type,
      },
    },
    links: event.links.map((l) => ({ href: l.url, text: l.title })),
    client: 'intune-apns-monitor',
    client_url: INTUNE_ADMIN_CENTER_URL,
  };
}
