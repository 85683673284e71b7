/**
 * Escaping by construction, as Go's html/template does by default: every value interpolated into
 * `html\`…\`` is escaped for HTML text and quoted-attribute context; only a `SafeHtml` (made by
 * `html` itself or by an explicit `raw()`) passes through as markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), markup made by `html`/`raw`, lists of either. Nothing renders for null, undefined or false. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text made safe for HTML text and for a quoted attribute value. */
const SPECIAL = /[&<>"'`]/;
const SPECIALS = /[&<>"'`]/g;

export function escapeHtml(text: string): string {
  // Most values (dates, ids, names) need nothing: skip the replace for them (a 1,000-tenant page has ~50,000).
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITIES[c] ?? c) : text;
}

/** A trusted fragment (a constant script or stylesheet of this module, never data). */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

function render(value: HtmlValue): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly HtmlValue[]) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

// `<a href=${x}>` would let a space or `>` in x start a new attribute: only quoted values are allowed.
// Checked on the template's own text (never on data), so it costs nothing per row.
const UNQUOTED_ATTRIBUTE = /=\s*$/;

// A call site's strings are one frozen object for the life of the process: checked once.
const checked = new WeakSet<TemplateStringsArray>();

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  if (!checked.has(strings)) {
    for (let i = 0; i < values.length; i++) {
      if (UNQUOTED_ATTRIBUTE.test(strings[i] ?? '')) throw new Error(`html: the attribute before interpolation ${i + 1} must be quoted`);
    }
    checked.add(strings);
  }
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
