import { buildEmailMessage } from '../../../../shared/adapters/notifiers/email/buildEmailMessage';
import { buildPagerDutyEvent, PAGERDUTY_LIMITS } from '../../../../shared/adapters/notifiers/pagerduty/buildPagerDutyEvent';
import { buildSlackMessage, SLACK_LIMITS } from '../../../../shared/adapters/notifiers/slack/buildSlackMessage';
import { buildTeamsMessage, TEAMS_MAX_BYTES } from '../../../../shared/adapters/notifiers/teams/buildTeamsMessage';
import type { AlertEvent } from '../../../../shared/domain/alertEvent';
import { apnsEvent, vppEvent } from '../../../fakes/events';

// Text from Graph is data, never markup (SPEC §4): the attacks below were reproduced against the
// builders before they escaped anything.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

const LINK = '[Renew here](https://evil.example/phish)';

function parseEvents(card: unknown): { event: number; message: string }[] {
  const context = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(card, context);
  const events: { event: number; message: string }[] = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
  return events;
}

type Card = { body: Record<string, unknown>[] };
const cardOf = (message: Record<string, unknown>) => (message.attachments as { content: Card }[])[0]!.content;

/** Every text of the card that Teams reads as Markdown: TextBlock texts and fact values, in order. */
function markdownTexts(card: Card): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (items: Record<string, unknown>[]) => {
    for (const item of items) {
      if (item.type === 'TextBlock') out.push({ where: 'TextBlock', text: item.text as string });
      if (item.type === 'FactSet') for (const f of item.facts as { title: string; value: string }[]) out.push({ where: `fact ${f.title}`, text: f.value });
      if (Array.isArray(item.items)) walk(item.items as Record<string, unknown>[]);
    }
  };
  walk(card.body);
  return out;
}

/**
 * Reads Teams text as a CommonMark renderer does for what matters here: a backslash before ASCII
 * punctuation makes it literal. `visible` is what a reader sees; `live` blanks the escaped
 * characters out, so any markup left in it would be acted on.
 */
function readMarkdown(text: string): { visible: string; live: string } {
  let visible = '';
  let live = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\\' && next !== undefined && /[!-/:-@[-`{-~]/.test(next)) {
      visible += next;
      live += ' ';
      i++;
    } else {
      visible += c;
      live += c;
    }
  }
  return { visible, live };
}

/** The Markdown constructs a renderer would act on in live text (our own "1. " step prefix aside). */
function liveMarkup(live: string): string[] {
  const found: string[] = [];
  if (/\[[^\]]*\]\s*\(/.test(live)) found.push('link');
  if (/[*_~`]/.test(live)) found.push('emphasis or code');
  if (/<[A-Za-z!/?]/.test(live)) found.push('autolink or HTML');
  if (/&#?[A-Za-z0-9]+;/.test(live)) found.push('entity');
  if (/^\s*(?:[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|#{1,6}(?:\s|$)|>)/.test(live)) found.push('list, heading or quote');
  if (/[\r\n\u2028\u2029]/.test(live)) found.push('line break');
  return found;
}

function liveMarkupOfCard(card: Card): { where: string; text: string; markup: string[] }[] {
  return markdownTexts(card)
    .map(({ where, text }) => {
      const own = /^\d+\. /.exec(text)?.[0] ?? ''; // the step number is our list item
      return { where, text, markup: liveMarkup(readMarkdown(text.slice(own.length)).live) };
    })
    .filter((t) => t.markup.length > 0);
}

const factValue = (card: Card, title: string) =>
  readMarkdown(markdownTexts(card).find((t) => t.where === `fact ${title}`)?.text ?? '').visible;

describe('Teams card with hostile Graph text', () => {
  test('when text is not escaped, the Markdown check does find the link, the emphasis and the list: the checks below can fail', () => {
    expect(liveMarkup(readMarkdown(`- ${LINK} **x**`).live)).toEqual(['link', 'emphasis or code', 'list, heading or quote']);
    expect(liveMarkup(readMarkdown('\\[a\\](b) \\*x\\* \\- y').live)).toEqual([]);
  });

  test('when a VPP organization is named like a Markdown link, the card shows the name as typed and no link survives', () => {
    const card = cardOf(buildTeamsMessage(vppEvent({ organizationName: LINK })));
    expect(parseEvents(card)).toEqual([]);
    expect(liveMarkupOfCard(card)).toEqual([]);
    expect(factValue(card, 'Asset')).toBe(`VPP token "${LINK}"`);
    expect(readMarkdown(markdownTexts(card)[0]?.text ?? '').visible).toContain(LINK);
    expect(JSON.stringify(card)).not.toContain('](');
  });

  test('when names, the tenant and the Apple ID hold emphasis, code, lists, HTML and entities, none of it is live and each reads as typed', () => {
    const org = '1. **Renew** _now_ ~~old~~ `code` <https://evil.example> &#91;x&#93;(https://evil.example)';
    const appleId = '# admin_1@contoso.com';
    const tenantName = '- Contoso *urgent*';
    const event = { ...vppEvent({ organizationName: org, appleId }), tenantName };
    const card = cardOf(buildTeamsMessage(event));
    expect(parseEvents(card)).toEqual([]);
    expect(liveMarkupOfCard(card)).toEqual([]);
    expect(factValue(card, 'Asset')).toBe(`VPP token "${org}"`);
    expect(factValue(card, 'Apple ID')).toBe(appleId);
    expect(factValue(card, 'Tenant')).toBe(`${tenantName} (contoso)`);
  });

  test('when Graph text holds CR, LF or U+2028, each value stays on one line with no list or link in it', () => {
    const card = cardOf(buildTeamsMessage(vppEvent({ organizationName: `Contoso\r\n- ${LINK}\u2028> quote` })));
    expect(liveMarkupOfCard(card)).toEqual([]);
    expect(factValue(card, 'Asset')).toBe(`VPP token "Contoso - ${LINK} > quote"`);
  });

  test('when the card is for the APNs certificate, no text shows a backtick (Teams has no code spans) and the steps carry plain quotes', () => {
    const event = apnsEvent(25);
    expect(event.nextSteps.join('\n')).not.toContain('`');
    const visible = markdownTexts(cardOf(buildTeamsMessage(event))).map((t) => readMarkdown(t.text).visible);
    expect(visible.join('\n')).not.toContain('`');
    expect(visible.join('\n')).toContain('"apns-monitor csr"');
  });

  test('when a name is 20,000 characters, the card stays within 28 KB, parses, and the title still says when it expires', () => {
    const message = buildTeamsMessage(vppEvent({ organizationName: 'N'.repeat(20_000) }));
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const card = cardOf(message);
    expect(parseEvents(card)).toEqual([]);
    expect(markdownTexts(card)[0]?.text).toMatch(/^CRITICAL: VPP token "N+… expires in 5 days/);
  });

  test.each([
    ['escaping triples them in JSON', '*'],
    ['each takes 4 bytes', '😀'],
    ['each is a quote JSON escapes', '"'],
  ])('when every field is long and made of characters where %s, the card stays within 28 KB and parses', (_why, unit) => {
    const base = vppEvent({ organizationName: unit.repeat(20_000), appleId: unit.repeat(20_000) });
    const event: AlertEvent = {
      ...base,
      tenantName: unit.repeat(20_000),
      tenantId: unit.repeat(5_000),
      key: unit.repeat(20_000),
      title: unit.repeat(20_000),
      summary: unit.repeat(60_000),
      nextSteps: Array.from({ length: 50 }, () => unit.repeat(5_000)),
      asset: { ...base.asset, topic: unit.repeat(20_000), serialNumber: unit.repeat(20_000) },
    };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(parseEvents(cardOf(message))).toEqual([]);
  });
});

/** Every Block Kit text object of a Slack message, with the block it sits in. */
function slackTextObjects(blocks: unknown[]): { block: string; type: string; text: string }[] {
  const out: { block: string; type: string; text: string }[] = [];
  for (const b of blocks as Record<string, unknown>[]) {
    const add = (o: unknown) => {
      const t = o as { type: string; text: string };
      out.push({ block: b.type as string, type: t.type, text: t.text });
    };
    if (b.text) add(b.text);
    for (const f of (b.fields as unknown[]) ?? []) add(f);
    for (const e of (b.elements as Record<string, unknown>[]) ?? []) add(e.type === 'button' ? e.text : e);
  }
  return out;
}

describe('Slack message with hostile Graph text', () => {
  const event = { ...vppEvent({ organizationName: 'Contoso <!channel> <https://evil.example|click> *bold* _it_ ~s~ `code`' }), tenantName: 'Fabrikam <@U024BE7LH>' };

  test('when Graph text holds <!channel>, <@U…> and <url|label>, the top-level text and every block carry them escaped', () => {
    const message = buildSlackMessage(event);
    const json = JSON.stringify(message);
    for (const live of ['<!channel>', '<@U024BE7LH>', '<https://evil.example|click>']) expect(json).not.toContain(live);
    expect(message.text).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt;');
    expect(message.text).toContain('(Fabrikam &lt;@U024BE7LH&gt;)');
    expect(message.text).not.toMatch(/[<>]/);
  });

  test('when Graph text holds *, _, ~ or backticks, it only ever sits in plain_text objects, and the top-level text is sent with mrkdwn off', () => {
    const message = buildSlackMessage(event);
    expect(message.mrkdwn).toBe(false);
    const objects = slackTextObjects(message.blocks);
    expect(objects.filter((o) => o.type !== 'plain_text')).toEqual([]);
    expect(objects.some((o) => o.text.includes('*bold* _it_ ~s~ `code`'))).toBe(true);
  });

  test('when a name is 20,000 characters of &, every block is within its Block Kit limit and no entity is cut', () => {
    const message = buildSlackMessage(vppEvent({ organizationName: '&'.repeat(20_000) }));
    for (const b of message.blocks as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string | { text: string } }[] }[]) {
      if (b.type === 'header') expect(b.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
      if (b.fields) expect(b.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      if (b.type === 'context') for (const e of b.elements ?? []) expect((e.text as string).length).toBeLessThanOrEqual(SLACK_LIMITS.context);
    }
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(JSON.stringify(message)).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect((message.blocks[0] as { text: { text: string } }).text.text).toMatch(/^CRITICAL: VPP token "(&amp;)+…$/);
  });
});

describe('e-mail and PagerDuty with hostile Graph text', () => {
  test('when a VPP organization holds a script, a Markdown link and CR/LF, the HTML shows it as text and the subject stays one line', () => {
    const mail = buildEmailMessage({ ...vppEvent({ organizationName: `<script>alert(1)</script>${LINK}<a href="https://evil.example">x</a>` }), tenantName: 'Contoso\r\nBcc: victim@example.com' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<a href="https://evil.example"');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;[Renew here](https://evil.example/phish)');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  test('when a name is 20,000 characters, the PagerDuty summary stays within 1024 characters on one line and still says when it expires', () => {
    const body = buildPagerDutyEvent(vppEvent({ organizationName: `N\n${'N'.repeat(20_000)}` }), 'R0123456789ABCDEF0123456789ABCDE') as { payload: { summary: string } };
    expect(body.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(body.payload.summary).toMatch(/^CRITICAL: VPP token "N N+… expires in 5 days .*\(Contoso\)$/);
  });
});
