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
