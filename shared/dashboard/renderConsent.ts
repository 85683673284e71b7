import { consentHeadline } from '../domain/consentStatus';
import type { FleetStatusView, StatusView } from '../useCases/getStatus';
import { html, type HtmlValue, type SafeHtml } from './html';

/**
 * Consent at a glance on the status page (SPEC §15), as small pieces the fleet view places: the
 * banner naming the tenants the last run could not read, the note under a tenant's name in its rows
 * (with the admin-consent link that fixes it), and the raw error text behind a disclosure so a phone
 * screen shows the names and the links first. All from the read model's `consent` (stored state).
 */

/** Not read at all on the last run: no consent, the base permission refused, or another failure. */
export function couldNotRead(tenant: StatusView): boolean {
  const { state, worstSeverity } = tenant.consent;
  return state === 'consent_missing' || state === 'unreadable' || (state === 'permission_missing' && worstSeverity === null);
}

// A banner names this many; the rest are counted (the rows say each, and the filter "failed" finds them).
const NAMED_IN_BANNER = 8;

/** "2 tenants could not be read on the last run: Northwind (admin consent is missing), …", or nothing. */
export function consentBanner(view: FleetStatusView, hrefOf: (tenantId: string) => string): SafeHtml | '' {
  const unread = view.tenants.filter(couldNotRead);
  const partial = view.tenants.filter((t) => t.consent.state === 'permission_missing' && !couldNotRead(t));
  const names = (list: readonly StatusView[]) => {
    const shown: HtmlValue[] = list.slice(0, NAMED_IN_BANNER).map((t, i) => html`${i > 0 ? ', ' : ''}<a href="${hrefOf(t.tenantId)}">${t.tenantName}</a> (${consentHeadline(t.consent)})`);
    const more = list.length - NAMED_IN_BANNER;
    return more > 0 ? [...shown, ` and ${more} more`] : shown;
  };
  const lines: SafeHtml[] = [];
  if (unread.length > 0) lines.push(html`<p><strong>${unread.length} ${unread.length === 1 ? 'tenant' : 'tenants'} could not be read on the last run</strong>: ${names(unread)}. Each row has its consent link or the reason.</p>`);
  if (partial.length > 0) lines.push(html`<p><strong>${partial.length} ${partial.length === 1 ? 'tenant was' : 'tenants were'} read without some connectors</strong>, for lack of a permission: ${names(partial)}.</p>`);
  return lines.length === 0 ? '' : html`${lines}`;
}

/** Under a tenant's name in a fleet row: what keeps it from being read, and the link that fixes it. */
export function consentNote(tenant: StatusView): SafeHtml | '' {
  const { state, consentUrl } = tenant.consent;
  if (state === 'read' || state === 'not_checked') return '';
  const link = consentUrl ? html` <a href="${consentUrl}">${state === 'consent_missing' ? 'Grant admin consent' : 'Consent again'}</a>` : '';
  return html`<span class="sub consent consent-${state}">${capitalised(consentHeadline(tenant.consent))}.${link}</span>`;
}

/** The last run's raw words (the monitor's findings, the error code) behind a "Details" disclosure. */
export function errorDetails(content: HtmlValue, errorCode: string | null): SafeHtml {
  return html`<details class="why"><summary>Details</summary>${errorCode ? html`<code>${errorCode}</code>` : ''}${content}</details>`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
