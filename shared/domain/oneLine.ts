// C0/C1 controls, DEL, line/paragraph separators and bidi overrides: none belongs in one plain line.
// eslint-disable-next-line no-control-regex
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Whether a text a person typed (a reason, shown on the page and in the CLI) is one plain line. */
export function isOneLine(text: string): boolean {
  return !NOT_ONE_LINE.test(text);
}
