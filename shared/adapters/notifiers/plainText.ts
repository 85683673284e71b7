/**
 * Text from Graph and from state (names, Apple IDs, failure reasons, a customer admin's VPP label)
 * is data on every exit, the plain-text ones included: beside the channel builders' own escaping
 * (Teams Markdown, Slack mrkdwn, HTML), one small function per plain-text format. None of them lets
 * a value start a line, move the cursor, set the window title, ring the bell or reorder what is read.
 */

// C0 and C1 controls (CR, LF, NEL, ESC, BEL …), DEL, the Unicode line and paragraph separators, and
// the bidi controls that make a line read differently from what it holds: embeddings and overrides
// (U+202A–202E), isolates (U+2066–2069), the marks LRM/RLM (U+200E/200F) and ALM (U+061C).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One line of plain text: a log line, or a value printed on the terminal. Every unsafe character is
 * shown as an escape (`\n`, `\r`, `\t`, `\u001b`, `\u202e`) instead of acting, so an Apple ID with
 * CR/LF stays on its line. (JSON-compatible: `\uXXXX` inside a JSON string is the same string.)
 */
export function escapeLogText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Everything the CLI prints to stdout or stderr: its own line breaks kept, every line escaped as
 * above. The last guard at the terminal, after the formatters escaped each value they interpolate.
 */
export function escapeTerminalOutput(text: string): string {
  return text.split('\n').map(escapeLogText).join('\n');
}

/**
 * Text on the Nagios/Icinga status line: one line, and no `|`, which starts the performance data
 * (a `|` in a VPP name once moved the real perfdata to line 2). Shown as `¦`, which reads the same.
 */
export function escapeNagiosText(text: string): string {
  return escapeLogText(text).replace(/\|/g, '¦');
}

// What may stand for a line break in text from Graph or state: each becomes one iCalendar "\n".
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/;

/**
 * A value of an iCalendar TEXT property (SUMMARY, DESCRIPTION): line breaks kept as `\n`, every
 * other unsafe character shown as an escape (as in a log line; RFC 5545's TEXT admits no control
 * character), then `\\`, `\;` and `\,` (RFC 5545 §3.3.11) — so a name can neither end the property
 * nor start another.
 */
export function escapeICalText(text: string): string {
  return text
    .split(LINE_BREAKS)
    .map((line) => escapeLogText(line).replace(/[\\;,]/g, (c) => `\\${c}`))
    .join('\\n');
}

/**
 * Text for a machine format written to stdout as it is (an iCalendar feed, whose lines end in CRLF):
 * refused when it holds any unsafe character but CR and LF, which the format's own escaping should
 * have removed. The terminal guard for output that must keep its line endings.
 */
export function assertMachineText(text: string): string {
  const found = text.replace(/[\r\n]/g, '').match(UNSAFE);
  if (found) throw new Error(`machine output holds the unsafe character U+${(found[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  return text;
}
