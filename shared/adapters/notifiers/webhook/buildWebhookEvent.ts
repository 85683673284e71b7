import type { AlertEvent } from '../../../domain/alertEvent';
import { formatUtc } from '../../../domain/graphDateTime';

export type WebhookEventType = 'apns.alert' | 'apns.resolved' | 'apns.renewed' | 'apns.renewal_proposed' | 'apns.monitor_failed';

export interface WebhookEvent {
  type: WebhookEventType;
  /** The event id; also the `webhook-id` header, so a receiver can drop duplicates. */
  id: string;
  timestamp: string;
  data: Record<string, unknown> & { version: 1 };
}

function ackOf(event: AlertEvent): Record<string, unknown> | null {
  const ack = event.acknowledgement;
  if (!ack) return null;
  return { by: ack.by, reason: ack.reason, severity: ack.severity, at: formatUtc(ack.at), until: formatUtc(ack.until), status: ack.status };
}

export function webhookEventType(event: AlertEvent): WebhookEventType {
  if (event.type === 'renewed') return 'apns.renewed';
  if (event.type === 'proposal') return 'apns.renewal_proposed';
  if (event.type === 'resolved') return 'apns.resolved';
  return event.asset.kind === 'monitor' ? 'apns.monitor_failed' : 'apns.alert';
}

/** The versioned JSON event (`data.version` 1). Dates are ISO 8601 UTC. Values are JSON strings, kept whole. */
export function buildWebhookEvent(event: AlertEvent): WebhookEvent {
  const a = event.asset;
  return {
    type: webhookEventType(event),
    id: event.id,
    timestamp: formatUtc(event.occurredAt),
    data: {
      version: 1,
      eventType: event.type,
      key: event.key,
      tenantId: event.tenantId,
      tenantName: event.tenantName,
      severity: event.severity,
      previousSeverity: event.previousSeverity ?? null,
      asset: {
        kind: a.kind,
        id: a.assetId,
        name: a.name,
        appleId: a.appleId ?? null,
        topic: a.topic ?? null,
        serialNumber: a.serialNumber ?? null,
        expiresAt: a.expiresAt === undefined ? null : formatUtc(a.expiresAt),
        daysRemaining: a.daysRemaining ?? null,
        lastSyncAt: a.lastSyncAt === undefined ? null : formatUtc(a.lastSyncAt),
      },
      title: event.title,
      summary: event.summary,
      findings: event.findings,
      nextSteps: event.nextSteps,
      links: event.links,
      // Who acknowledged the alert, why and until when; `status` says whether it still pauses the
      // reminders (`active`) or how it ended in this run (`lapsed`, `escalated`, `resolved`).
      acknowledgement: ackOf(event),
    },
  };
}
