/**
 * The status page's Content-Security-Policy: nothing but its own nonce'd inline style and script,
 * `fetch` to its own origin (the renewal dry run), no framing, no `<base>`, forms posting home only.
 * `img-src data:` lets the page declare an empty favicon so the browser asks nothing else.
 */
export function dashboardCsp(nonce: string): string {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('dashboardCsp: the nonce must be at least 16 base64 characters');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
