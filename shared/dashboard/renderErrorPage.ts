import { html } from './html';
import { renderPage } from './renderPage';

export interface ErrorPageInput {
  title: string;
  /** One sentence for a person; never a stack trace or an internal detail. */
  message: string;
  /** The invocation id, so whoever reads the Function App's logs can find the line. */
  correlationId?: string;
  nonce: string;
  viewerName: string | null;
  /** The fleet view, linked back to (omitted on the sign-in page: there is nothing to go back to). */
  home: string;
  backLink?: boolean;
}

/** The 401, 404 and 500 pages: the same frame, no data, no script. */
export function renderErrorPage(input: ErrorPageInput): string {
  return renderPage({
    title: `${input.title} — APNs status`,
    nonce: input.nonce,
    viewerName: input.viewerName,
    home: input.home,
    withScript: false,
    main: html`<div class="problem">
<h1>${input.title}</h1>
<p>${input.message}</p>
${input.correlationId ? html`<p>Correlation id: <code>${input.correlationId}</code></p>` : ''}
${input.backLink === false ? '' : html`<p><a href="${input.home}">Back to the status page</a></p>`}
</div>`,
  });
}
