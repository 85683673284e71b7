import type { EpochMs } from '../domain/assets';
import { DASHBOARD_SCRIPT } from './dashboardScript';
import { DASHBOARD_STYLES } from './dashboardStyles';
import { isoOf, utcMinute } from './format';
import { html, raw, type SafeHtml } from './html';

export interface PageFrame {
  title: string;
  nonce: string;
  /** The signed-in name (shown in the banner); null when nobody is signed in (the 401 page). */
  viewerName: string | null;
  /** Where the brand links: the fleet view. */
  home: string;
  main: SafeHtml;
  /** When the stored state was read (the footer says the page is not a live Intune read). */
  generatedAt?: EpochMs;
  withScript?: boolean;
}

/** The document around every view: landmarks, the nonce'd stylesheet and script, nothing from elsewhere. */
export function renderPage(frame: PageFrame): string {
  const who = frame.viewerName === null ? '' : html`<p class="who">Signed in as <strong>${frame.viewerName}</strong></p>`;
  const foot =
    frame.generatedAt === undefined
      ? ''
      : html`<footer class="foot"><p>Shown from stored state read at <time datetime="${isoOf(frame.generatedAt)}">${utcMinute(frame.generatedAt)}</time>: what the last runs saw, not a live Intune read. Times are UTC.</p></footer>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${frame.title}</title>
<link rel="icon" href="data:,">
<style nonce="${frame.nonce}">${raw(DASHBOARD_STYLES)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="top-inner"><a class="brand" href="${frame.home}">Apple push certificate status</a>${who}</div></header>
<main id="main" tabindex="-1">
${frame.main}
</main>
${foot}
${frame.withScript === false ? '' : html`<script nonce="${frame.nonce}">${raw(DASHBOARD_SCRIPT)}</script>`}
</body>
</html>
`.value;
}
