import type { AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { factsOf, truncate } from '../describeEvent';
import type { MessageContext } from '../messageContext';

const EMOJI: Record<Severity, string> = { ok: ':white_check_mark:', notice: ':information_source:', warning: ':warning:', critical: ':rotating_light:', expired: ':rotating_light:' };

/** Slack escapes only these in mrkdwn text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An incoming-webhook message: `text` for notifications, Block Kit `blocks` for the client. */
export function buildSlackMessage(event: AlertEvent, ctx: MessageContext): { text: string; blocks: unknown[] } {
  const resolved = event.type === 'resolved' || event.type === 'renewed';
  const emoji = resolved ? EMOJI.ok : EMOJI[event.severity];
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(event.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${emoji} ${escapeSlack(event.summary)}`, 3000) } },
    { type: 'section', fields: factsOf(event, ctx).slice(0, 10).map((f) => ({ type: 'mrkdwn', text: truncate(`*${f.title}*\n${escapeSlack(f.value)}`, 2000) })) },
  ];
  if (event.nextSteps.length > 0) {
    const steps = event.nextSteps.map((s, i) => `${i + 1}. ${escapeSlack(s)}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Next steps*\n${steps}`, 3000) } });
  }
  if (event.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: event.links.slice(0, 5).map((l, i) => ({ type: 'button', text: { type: 'plain_text', text: truncate(l.title, 75) }, url: l.url, action_id: `link_${i}` })),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`${escapeSlack(ctx.tenantName)} · alert key \`${escapeSlack(event.key)}\` · event ${event.id}`, 3000) }] });
  return { text: truncate(`${event.title} (${ctx.tenantName})`, 3000), blocks };
}
