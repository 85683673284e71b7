import type { AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { clampEvent, factsOf, oneLine, truncate } from '../describeEvent';

// Unicode emoji, not `:shortcodes:`: plain_text objects keep `emoji: false`, so a `:shortcode:`
// in Graph text stays text.
const EMOJI: Record<Severity, string> = { ok: '✅', notice: 'ℹ️', warning: '⚠️', critical: '🚨', expired: '🚨' };

/** Block Kit limits (characters). */
export const SLACK_LIMITS = { text: 3000, header: 150, section: 3000, field: 2000, fields: 10, context: 2000, button: 75, buttons: 5 } as const;

/** Slack's control characters in any text: escaping them turns `<!channel>`, `<@U…>` and `<url|label>` into text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `escapeSlack`, cut so that the escaped text is at most `max` characters (never inside an entity or a surrogate pair). */
export function escapeSlackWithin(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of text) {
    const piece = escapeSlack(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/**
 * Text as a `plain_text` object: Slack renders no mrkdwn in it (no *bold*, _italic_, ~strike~,
 * `code`, links or mentions), which is the only way Slack offers to keep those characters literal.
 */
function plain(text: string, max: number): { type: 'plain_text'; text: string; emoji: false } {
  return { type: 'plain_text', text: escapeSlackWithin(text, max), emoji: false };
}

/**
 * An incoming-webhook message: `text` for notifications, Block Kit `blocks` for the client. Graph
 * values only ever go into `plain_text` objects; the top-level `text` (always read as mrkdwn by
 * Slack) is escaped, on one line, and sent with `mrkdwn: false`.
 */
export function buildSlackMessage(original: AlertEvent): { text: string; mrkdwn: false; blocks: unknown[] } {
  const event = clampEvent(original);
  const resolved = event.type === 'resolved' || event.type === 'renewed';
  const emoji = resolved ? EMOJI.ok : EMOJI[event.severity];
  const blocks: unknown[] = [
    { type: 'header', text: plain(oneLine(event.title), SLACK_LIMITS.header) },
    { type: 'section', text: plain(`${emoji} ${oneLine(event.summary)}`, SLACK_LIMITS.section) },
    { type: 'section', fields: factsOf(event).slice(0, SLACK_LIMITS.fields).map((f) => plain(`${f.title}\n${oneLine(f.value)}`, SLACK_LIMITS.field)) },
  ];
  if (event.nextSteps.length > 0) {
    const steps = event.nextSteps.map((s, i) => `${i + 1}. ${oneLine(s)}`).join('\n');
    blocks.push({ type: 'section', text: plain(`Next steps\n${steps}`, SLACK_LIMITS.section) });
  }
  if (event.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: event.links.slice(0, SLACK_LIMITS.buttons).map((l, i) => ({ type: 'button', text: plain(l.title, SLACK_LIMITS.button), url: l.url, action_id: `link_${i}` })),
    });
  }
  blocks.push({ type: 'context', elements: [plain(oneLine(`${event.tenantName} · alert key ${truncate(event.key, 300)} · event ${event.id}`), SLACK_LIMITS.context)] });
  return { text: escapeSlackWithin(oneLine(`${event.title} (${event.tenantName})`), SLACK_LIMITS.text), mrkdwn: false, blocks };
}
