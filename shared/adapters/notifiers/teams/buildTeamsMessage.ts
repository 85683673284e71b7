import type { AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { clampEvent, factsOf, kindLabel, oneLine, TEXT_LIMITS, truncate, type TextLimits } from '../describeEvent';

/** Teams Workflows webhooks take the message envelope; the card must stay under 28 KB. */
export const TEAMS_MAX_BYTES = 28 * 1024;

const STYLE: Record<Severity, string> = { ok: 'good', notice: 'accent', warning: 'warning', critical: 'attention', expired: 'attention' };

/**
 * Text for a TextBlock or a Fact, which Teams reads as Markdown (bold, italic, lists, links).
 * Text is data: it goes on one line, and what could open markup is escaped the CommonMark way
 * (a backslash before it): backslash, backtick, `*`, `_`, `~`, `[`, `]` and `<` everywhere, `&`
 * before an entity, and a leading `-`, `+`, `#`, `>`, `1.` or `1)`, so
 * `[Renew here](https://evil.example)` shows as typed instead of as a link, `**x**` and `_x_` are
 * not emphasis, `<…>` is not an autolink, and a value is never a list, heading or quote. A `(`
 * right after `]` is escaped too, so even a renderer that ignores escapes never sees `](`.
 */
export function escapeTeamsText(text: string): string {
  return oneLine(text)
    .trim()
    .replace(/[\\`*_~[\]<]|&(?=#?[A-Za-z0-9]+;)/g, '\\$&')
    .replace(/\\\]\(/g, '\\]\\(')
    .replace(/^(?:[-+#>]|\d{1,9}(?=[.)]))/, (m) => (/^\d/.test(m) ? `${m}\\` : `\\${m}`));
}

function headerStyle(event: AlertEvent): string {
  return event.type === 'resolved' || event.type === 'renewed' ? 'good' : STYLE[event.severity];
}

function card(event: AlertEvent, keyMax: number): Record<string, unknown> {
  const md = escapeTeamsText;
  const body: unknown[] = [
    {
      type: 'Container',
      style: headerStyle(event),
      bleed: true,
      items: [
        { type: 'TextBlock', text: md(event.title), weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: md(`${event.tenantName} · ${kindLabel(event)}`), isSubtle: true, spacing: 'None', wrap: true },
      ],
    },
    { type: 'TextBlock', text: md(event.summary), wrap: true },
    // Fact titles are ours; their values carry Graph text.
    { type: 'FactSet', facts: factsOf(event).map((f) => ({ title: f.title, value: md(f.value) })) },
  ];
  if (event.nextSteps.length > 0) {
    body.push({ type: 'TextBlock', text: 'Next steps', weight: 'Bolder', spacing: 'Medium', wrap: true });
    // "1. " is ours (an ordered list item); the step after it is escaped.
    event.nextSteps.forEach((step, i) => body.push({ type: 'TextBlock', text: `${i + 1}. ${md(step)}`, wrap: true, spacing: 'Small' }));
  }
  body.push({ type: 'TextBlock', text: md(`Alert key ${truncate(event.key, keyMax)} · event ${truncate(event.id, 100)}`), isSubtle: true, size: 'Small', wrap: true, spacing: 'Medium' });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    body,
    actions: event.links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })),
  };
}

const envelope = (content: Record<string, unknown>) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
});

/**
 * The Adaptive Card 1.5 message for a Teams Workflows webhook: a coloured severity header, the
 * facts, the next steps in words, and buttons to the Intune admin center and the Apple portal.
 * Graph values are cut (`clampEvent`) and escaped; should the card still pass 28 KB (escaping
 * can triple a value's bytes), every limit is halved until it fits.
 */
export function buildTeamsMessage(event: AlertEvent): Record<string, unknown> {
  const limits: TextLimits = { ...TEXT_LIMITS };
  let keyMax = 300;
  for (;;) {
    const message = envelope(card(clampEvent(event, limits), keyMax));
    if (Buffer.byteLength(JSON.stringify(message)) <= TEAMS_MAX_BYTES || limits.value < 16) return message;
    limits.value = Math.floor(limits.value / 2);
    limits.title = Math.floor(limits.title / 2);
    limits.summary = Math.floor(limits.summary / 2);
    limits.step = Math.floor(limits.step / 2);
    keyMax = Math.floor(keyMax / 2);
  }
}
