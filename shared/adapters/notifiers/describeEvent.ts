import type { AlertEvent } from '../../domain/alertEvent';
import { describeExpiry } from '../../domain/assessExpiry';
import { formatUtc } from '../../domain/graphDateTime';
import type { MessageContext } from './messageContext';

const KIND_LABEL = { apns: 'APNs certificate', vpp: 'VPP token', ade: 'ADE token', monitor: 'Expiry monitor' } as const;

export function kindLabel(event: AlertEvent): string {
  return KIND_LABEL[event.asset.kind];
}

/** The facts every channel shows, in order, as label/value pairs (absent ones left out). */
export function factsOf(event: AlertEvent, ctx: MessageContext): { title: string; value: string }[] {
  const a = event.asset;
  const facts = [
    { title: 'Tenant', value: ctx.tenantName === ctx.tenantId ? ctx.tenantId : `${ctx.tenantName} (${ctx.tenantId})` },
    { title: 'Asset', value: a.name },
    { title: 'Severity', value: event.type === 'resolved' || event.type === 'renewed' ? `resolved (now ${event.severity})` : event.severity },
  ];
  if (a.appleId) facts.push({ title: 'Apple ID', value: a.appleId });
  if (a.topic) facts.push({ title: 'Topic', value: a.topic });
  if (a.expiresAt !== undefined) facts.push({ title: 'Expires (UTC)', value: formatUtc(a.expiresAt).replace('.000Z', 'Z') });
  if (a.daysRemaining !== undefined) {
    facts.push({ title: 'Days left', value: a.daysRemaining < 0 && a.expiresAt !== undefined ? `expired ${describeExpiry(a.expiresAt, event.occurredAt)}` : String(a.daysRemaining) });
  }
  return facts;
}

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
