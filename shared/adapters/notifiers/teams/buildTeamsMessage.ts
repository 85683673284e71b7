import type { AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { factsOf, kindLabel, truncate } from '../describeEvent';
import type { MessageContext } from '../messageContext';

/** Teams Workflows webhooks take the message envelope; the card must stay under 28 KB. */
export const TEAMS_MAX_BYTES = 28 * 1024;

const STYLE: Record<Severity, string> = { ok: 'good', notice: 'accent', warning: 'warning', critical: 'attention', expired: 'attention' };

function headerStyle(event: AlertEvent): string {
  return event.type === 'resolved' || event.type === 'renewed' ? 'good' : STYLE[event.severity];
}

function card(event: AlertEvent, ctx: MessageContext, summary: string, steps: string[]): Record<string, unknown> {
  const body: unknown[] = [
    {
      type: 'Container',
      style: headerStyle(event),
      bleed: true,
      items: [
        { type: 'TextBlock', text: event.title, weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: `${ctx.tenantName} · ${kindLabel(event)}`, isSubtle: true, spacing: 'None', wrap: true },
      ],
    },
    { type: 'TextBlock', text: summary, wrap: true },
    { type: 'FactSet', facts: factsOf(event, ctx) },
  ];
  if (steps.length > 0) {
    body.push({ type: 'TextBlock', text: 'Next steps', weight: 'Bolder', spacing: 'Medium', wrap: true });
    steps.forEach((step, i) => body.push({ type: 'TextBlock', text: `${i + 1}. ${step}`, wrap: true, spacing: 'Small' }));
  }
  body.push({ type: 'TextBlock', text: `Alert key ${event.key} · event ${event.id}`, isSubtle: true, size: 'Small', wrap: true, spacing: 'Medium' });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    body,
    actions: event.links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })),
  };
}

/**
 * The Adaptive Card 1.5 message for a Teams Workflows webhook: a coloured severity header, the
 * facts, the next steps in words, and buttons to the Intune admin center and the Apple portal.
 */
export function buildTeamsMessage(event: AlertEvent, ctx: MessageContext): Record<string, unknown> {
  const envelope = (content: Record<string, unknown>) => ({
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  });
  let summary = event.summary;
  let steps = event.nextSteps;
  for (let limit = 4000; ; limit = Math.floor(limit / 2)) {
    const message = envelope(card(event, ctx, summary, steps));
    if (Buffer.byteLength(JSON.stringify(message)) <= TEAMS_MAX_BYTES || limit < 64) return message;
    summary = truncate(event.summary, limit);
    steps = event.nextSteps.map((s) => truncate(s, limit));
  }
}
