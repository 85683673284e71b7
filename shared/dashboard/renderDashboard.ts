import { APPLE_PUSH_PORTAL_URL, INTUNE_ADMIN_CENTER_URL } from '../domain/alertEvent';
import { APNS_GRACE_DAYS, MS_PER_DAY } from '../domain/assessExpiry';
import { isMonitoredKind, type EpochMs } from '../domain/assets';
import { dateTitleOf, kindSpec } from '../domain/assetKinds';
import type { KindGroup } from '../domain/kinds/kindSpec';
import { DEFAULT_POLICY } from '../domain/policy';
import { SEVERITIES, worstOf, type Severity } from '../domain/severity';
import type { AssetStatus, AuditEntryView, FleetStatusView, StatusView } from '../useCases/getStatus';
import { filterTerms, matchCountText, matchesTerms } from './filterMatch';
import { fleetListing, fleetPage, severityTag, tenantRows, type FleetListing, type FleetPage, type FleetRow, type OkRow } from './fleetRows';
import { isoOf, parseIso, relativeTime, SEVERITY_LABEL, timeLeftText, utcMinute, type ShownSeverity } from './format';
import { html, type HtmlValue, type SafeHtml } from './html';
import { acknowledgementsSection } from './renderAcknowledgements';
import { consentBanner, consentNote, couldNotRead, errorDetails } from './renderConsent';
import { renderErrorPage } from './renderErrorPage';
import { renderPage } from './renderPage';
import { proposalsSection, proposalsWaitingNote } from './renderProposals';
import type { Viewer } from './viewer';
import { renderTimeline, severityGlyph, timelineLabel, type TimelineBands, type TimelineItem } from './renderTimeline';

export type { Viewer };

/**
 * Where the page links and posts. `csr` and `renew` are the page's own action routes (a browser has
 * no function key for `/api/apns/csr` and `/api/apns/renew`, which stay for automation).
 */
export interface DashboardRoutes {
  dashboard: string;
  csr: string;
  renew: string;
  /** Acknowledging an alert and ending it (SPEC §15). */
  acknowledge: string;
  unacknowledge: string;
}

export const DASHBOARD_ROUTES: DashboardRoutes = Object.freeze({
  dashboard: '/api/apns/dashboard',
  csr: '/api/apns/dashboard/csr',
  renew: '/api/apns/dashboard/renew',
  acknowledge: '/api/apns/dashboard/ack',
  unacknowledge: '/api/apns/dashboard/unack',
});


export interface DashboardInput {
  view: FleetStatusView;
  /** `?tenant=ID`: the tenant view. Without it, a single tenant's view is shown directly. */
  selectedTenantId?: string;
  /** `?q=`: the fleet table's filter when the page is used without JavaScript (or across pages). */
  filter?: string;
  /** `?page=`: which page of the fleet table (1-based; clamped). */
  page?: number;
  /** Lines per page of the fleet table (default FLEET_PAGE_SIZE; the bench's one-page baseline sets more). */
  pageSize?: number;
  viewer: Viewer;
  /** The CSP nonce of this response (see dashboardCsp). */
  nonce: string;
  /** The instant "days left" and "3 h ago" are counted from. */
  now: EpochMs;
  routes?: DashboardRoutes;
  /** The alert policy's bands, drawn on the timeline (defaults: SPEC §3). */
  bands?: TimelineBands;
  /**
   * The URLs the product itself writes into its findings (each fleet tenant's admin-consent link):
   * only these are made clickable, with the consent links of the view's tenants. Any other `https://…`
   * in the text — Graph's, which a customer's admin can write into a token name — stays text.
   */
  links?: readonly string[];
}

/** The tenant a request shows: the one asked for, else the only one; null for the fleet view (or an unknown id). */
export function selectedTenant(view: FleetStatusView, selectedTenantId?: string): StatusView | null {
  if (selectedTenantId !== undefined) return view.tenants.find((t) => t.tenantId === selectedTenantId) ?? null;
  return view.tenants.length === 1 ? (view.tenants[0] ?? null) : null;
}

/**
 * The status page (SPEC §12) as one HTML document: a pure function of the read model, `now` and
 * who is looking. Every value from state is escaped by the `html` template.
 */
export function renderDashboard(input: DashboardInput): string {
  const routes = input.routes ?? DASHBOARD_ROUTES;
  const bands = input.bands ?? DEFAULT_POLICY;
  const tenant = selectedTenant(input.view, input.selectedTenantId);
  const generatedAt = parseIso(input.view.generatedAt) ?? input.now;
    const consentLinks = input.view.tenants.flatMap((t) => (t.consent.consentUrl ? [t.consent.consentUrl] : []));
  const ctx: Ctx = { now: input.now, routes, bands, viewer: input.viewer, fleetSize: input.view.tenants.length, links: linkPattern([...(input.links ?? []), ...consentLinks]) };
  if (input.selectedTenantId !== undefined && tenant === null) {
    return renderErrorPage({
      title: 'Tenant not found',
      message: `No watched tenant has the id "${input.selectedTenantId}".`,
      nonce: input.nonce,
      viewerName: input.viewer.name,
      home: routes.dashboard,
    });
  }
  const main = tenant === null ? fleetView(input.view, input.filter ?? '', input.page ?? 1, input.pageSize ?? FLEET_PAGE_SIZE, ctx) : tenantView(tenant, input.view, ctx);
  return renderPage({
    title: tenant === null ? `Fleet (${input.view.tenants.length} tenants) — APNs status` : `${tenant.tenantName} — APNs status`,
    nonce: input.nonce,
    viewerName: input.viewer.name,
    home: routes.dashboard,
    generatedAt,
    main,
  });
}

interface Ctx {
  now: EpochMs;
  routes: DashboardRoutes;
  bands: TimelineBands;
  viewer: Viewer;
  fleetSize: number;
  /** Matches exactly the product's own URLs (null: none), for `linkified`. */
  links: RegExp | null;
}

/** The kind's short tag ("APNs", "NDES"); "Monitor" for the monitor's own health. */
function kindShort(kind: string): string {
  return kind === 'monitor' ? 'Monitor' : isMonitoredKind(kind) ? kindSpec(kind).short : kind;
}

function tenantHref(ctx: Ctx, tenantId: string): string {
  return `${ctx.routes.dashboard}?tenant=${encodeURIComponent(tenantId)}`;
}

function badge(severity: ShownSeverity): SafeHtml {
  // The shape before the word is drawn by the stylesheet (one per severity, as on the timeline).
  return html`<span class="sev sev-${severity}">${SEVERITY_LABEL[severity]}</span>`;
}

function when(iso: string | null, ctx: Ctx, never = 'never'): SafeHtml {
  const ms = parseIso(iso);
  if (ms === null) return html`<span class="sub">${never}</span>`;
  return html`<time datetime="${isoOf(ms)}">${relativeTime(ms, ctx.now)}</time><span class="sub">${utcMinute(ms)}</span>`;
}

/** One pattern for the product's URLs, longest first so a URL never matches as part of another. */
function linkPattern(links: readonly string[]): RegExp | null {
  const exact = [...new Set(links)].filter((l) => l.startsWith('https://')).sort((a, b) => b.length - a.length);
  return exact.length === 0 ? null : new RegExp(`(${exact.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
}

/** Plain text where the product's own URLs (the consent link of a hint) are clickable; never markup, never another URL. */
function linkified(text: string, ctx: Ctx): HtmlValue[] {
  if (ctx.links === null) return [text];
  return text.split(ctx.links).map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));
}

/** An Apple ID that may wrap after its "@" in a narrow column, never inside a word. */
function appleIdText(appleId: string): SafeHtml {
  const at = appleId.indexOf('@');
  return at <= 0 ? html`${appleId}` : html`${appleId.slice(0, at)}@<wbr>${appleId.slice(at + 1)}`;
}

/** Severity as colour, shape and word, with the time left beneath (the two are read together). */
function severityCell(severity: ShownSeverity, asset: AssetStatus | null, ctx: Ctx): SafeHtml {
  // A connector the tenant does not use is neither healthy nor failing: said in words, never alerting.
  if (asset?.inUse === false) return html`<td data-label="Severity"><span class="sev sev-unknown">Not in use</span></td>`;
  const expiresAt = parseIso(asset?.expiresAt);
  let left: SafeHtml | '' = '';
  if (asset !== null && expiresAt !== null) {
    let grace: SafeHtml | '' = '';
    if (asset.kind === 'apns' && expiresAt < ctx.now) {
      // Apple: an expired push certificate can be renewed for 30 days; after that only a new one (every device re-enrolls).
      const graceEnds = expiresAt + APNS_GRACE_DAYS * MS_PER_DAY;
      grace = html`<span class="sub">${graceEnds > ctx.now ? `${timeLeftText(graceEnds, ctx.now)} left to renew` : 'grace period over: only a new certificate now'}</span>`;
    }
    left = html`<span class="left">${timeLeftText(expiresAt, ctx.now)}</span>${grace}`;
  }
  return html`<td data-label="Severity">${badge(severity)}${left}</td>`;
}

/** A cell that may have nothing to say: "—" in the table, left out of a phone's card. */
function optionalCell(label: string, content: HtmlValue, className = ''): SafeHtml {
  const empty = content === null || content === undefined || content === '';
  const cls = [className, empty ? 'nil' : ''].filter((c) => c !== '').join(' ');
  return html`<td${cls === '' ? '' : html` class="${cls}"`} data-label="${label}">${empty ? '—' : content}</td>`;
}

/** The date, and what it is when not an expiry; `which` names the asset when the row holds several. */
function expiresCell(asset: AssetStatus | null, which?: string): SafeHtml {
  const ms = parseIso(asset?.expiresAt);
  if (ms === null) return optionalCell('Expires (UTC)', null, 'when');
  const text = utcMinute(ms);
  // Not every date that matters is an expiry (a partner's "devices non-compliant from"): it says which.
  const title = asset ? dateTitle(asset) : 'Expires';
  const meaning = title !== 'Expires' || which ? html`<span class="sub note">${which ? `${which}${title !== 'Expires' ? `: ${title.toLowerCase()}` : ''}` : title.toLowerCase()}</span>` : '';
  return html`<td class="when" data-label="Expires (UTC)"><time datetime="${isoOf(ms)}">${text.slice(0, 10)}<span class="sub">${text.slice(11)}</span></time>${meaning}</td>`;
}

const dateTitle = (asset: AssetStatus): string => dateTitleOf(asset.kind);

/** "Last sync 3 h ago": when a token or connector last reached its service, as Intune reports it. */
function lastSync(asset: AssetStatus, ctx: Ctx): SafeHtml | '' {
  const ms = parseIso(asset.lastSyncAt);
  return ms === null ? '' : html`<span class="sub">Last sync <time datetime="${isoOf(ms)}">${relativeTime(ms, ctx.now)}</time> (${utcMinute(ms)})</span>`;
}

function assetCell(asset: AssetStatus | null, tenant: StatusView, full: boolean, ctx: Ctx): SafeHtml {
  if (asset === null) {
    const text = tenant.lastRun === null ? 'Not checked yet: no run has read this tenant.' : 'The last run stored no assets for this tenant.';
    return html`<th scope="row" data-label="Asset">No data<span class="finding">${text}</span></th>`;
  }
  // The fleet table already says when it expires: it shows only findings that add something.
  const findings = full ? asset.findings : asset.findings.filter((f) => f.code !== 'expiry');
  // A tenant the run could not (fully) read: in the fleet table its row says so in a few words (the
  // tenant cell, with the link), and the monitor's long error text waits behind a disclosure.
  const collapsed = !full && asset.kind === 'monitor' && tenant.consent.state !== 'read' && tenant.consent.state !== 'not_checked';
  const shown = findings.map((f) => html`<span class="finding">${linkified(f.message, ctx)}</span>${(full || collapsed) && f.hint ? html`<span class="sub">${linkified(f.hint, ctx)}</span>` : ''}`);
  return html`<th scope="row" data-label="Asset">${asset.name} <span class="tag">${kindShort(asset.kind)}</span>${asset.stale ? html` <span class="tag">stale</span>` : ''}${lastSync(asset, ctx)}${
    collapsed ? html`${couldNotRead(tenant) ? html`<span class="finding">Intune could not be read.</span>` : ''}${errorDetails(shown, tenant.consent.errorCode)}` : shown
  }${asset.stale ? html`<span class="sub">Last known value (assessed ${asset.assessedAt.slice(0, 10)}): not readable on the latest run.</span>` : ''}</th>`;
}

function lastCheckCell(tenant: StatusView, ctx: Ctx): SafeHtml {
  // The reason is on the tenant's monitor row and in the tenant view; here only that it failed.
  const failed = tenant.lastRun !== null && !tenant.lastRun.ok ? html`<span class="sub"><span class="tag tag-alert">last run failed</span></span>` : '';
  return html`<td class="when" data-label="Last successful check">${when(tenant.lastSuccessfulCheckAt, ctx)}${failed}</td>`;
}

function renewalSummary(entry: AuditEntryView | null, ctx: Ctx): SafeHtml {
  if (entry === null) return html`<span class="sub">none recorded</span>`;
  const at = parseIso(entry.at);
  return html`${outcomeText(entry)}<span class="sub">${at === null ? entry.at : relativeTime(at, ctx.now)} · ${entry.actor}</span>`;
}

function outcomeText(entry: AuditEntryView): SafeHtml {
  if (entry.outcome === 'renewed') return html`<span class="sev sev-ok">Renewed</span>`;
  if (entry.outcome === 'valid') return html`Dry run: <strong>valid</strong>`;
  if (entry.outcome === 'already_current') return html`Already current`;
  return html`<span class="tag tag-alert">refused</span> <code>${entry.outcome}</code>${entry.dryRun ? ' (dry run)' : ''}`;
}

// ── Fleet view ────────────────────────────────────────────────────────────────────────────────

/**
 * Lines of the fleet table per page. Everything that needs attention comes first, so the first page
 * is what an on-call engineer needs; a page stays a few hundred kilobytes however large the fleet
 * (issue 20: ≤ 500 KB of HTML at 1,000 tenants) and quick to filter on a phone.
 */
export const FLEET_PAGE_SIZE = 200;

const TILE_ORDER: ShownSeverity[] = ['expired', 'critical', 'unknown', 'warning', 'notice', 'ok'];

function fleetHref(ctx: Ctx, query: { q?: string; page?: number }): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.page !== undefined && query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return search === '' ? ctx.routes.dashboard : `${ctx.routes.dashboard}?${search}`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Assets by severity, each tile saying how many assets in how many tenants (a "No data" tenant has none). */
function severityTiles(listing: FleetListing, ctx: Ctx): SafeHtml {
  const tiles = TILE_ORDER.flatMap((severity) => {
    const rows = severity === 'ok' ? listing.ok.flatMap((r) => r.rows) : listing.attention.filter((r) => r.severity === severity);
    if (severity === 'unknown' && rows.length === 0) return [];
    const tenants = new Set(rows.map((r) => r.tenant.tenantId)).size;
    const what = severity === 'unknown' ? (tenants === 1 ? 'tenant not read yet' : 'tenants not read yet') : `${rows.length === 1 ? 'asset' : 'assets'} in ${plural(tenants, 'tenant', 'tenants')}`;
    const count = severity === 'unknown' ? tenants : rows.length;
    return [html`<li><a href="${fleetHref(ctx, { q: severityTag(severity) })}"><span class="count">${count.toLocaleString('en-US')}</span>${badge(severity)}<span class="what">${what}</span></a></li>`];
  });
  return html`<ul class="tiles" aria-label="Assets by severity">${tiles}</ul>`;
}

/**
 * The banner above the table: what keeps the fleet from being fully watched — the tenants that could
 * not be read, by name with their reason (consent, a permission), and those not checked yet — and the
 * renewals waiting for a person's approval.
 */
function fleetNotes(view: FleetStatusView, ctx: Ctx): SafeHtml[] {
  const unchecked = view.tenants.filter((t) => t.lastRun === null).length;
  const notes: SafeHtml[] = [];
  const consent = consentBanner(view, (id) => tenantHref(ctx, id));
  if (consent !== '') notes.push(consent);
  if (unchecked > 0) notes.push(html`<p><strong>${unchecked} ${unchecked === 1 ? 'tenant has' : 'tenants have'} not been checked yet</strong>: shown as “No data” until the first run reads ${unchecked === 1 ? 'it' : 'them'}.</p>`);
  const waiting = proposalsWaitingNote(view, (id) => tenantHref(ctx, id));
  if (waiting) notes.push(waiting);
  return notes;
}

function fleetView(view: FleetStatusView, filter: string, page: number, pageSize: number, ctx: Ctx): SafeHtml {
  const listing = fleetListing(view, ctx.now);
  const shown = fleetPage(listing, filter, page, pageSize);
  const terms = filterTerms(filter);
  const filtered = terms.length > 0;
  // The page's script counts exactly as the server does only when the page holds every line.
  const complete = !filtered && shown.pages === 1;
  const tenantIndex = new Map(view.tenants.map((t, i) => [t.tenantId, i]));
  const needing = new Set(listing.attention.map((r) => r.tenant.tenantId)).size;
  const notes = fleetNotes(view, ctx);

  const dated = [...listing.attention, ...listing.ok.flatMap((r) => r.rows)].filter((r) => r.asset !== null && r.expiresAt !== null && matchesTerms(r.filterText, terms));
  const items: TimelineItem[] = dated.map((r) => {
    const asset = r.asset as AssetStatus;
    const expiresAt = r.expiresAt as EpochMs;
    return { label: timelineLabel(`${r.tenant.tenantName} — ${asset.name}`, asset.severity, expiresAt, ctx.now, dateTitle(asset)), short: `${r.tenant.tenantName} · ${kindShort(asset.kind)}`, severity: asset.severity, expiresAt, filterText: r.filterText };
  });
  const tenantOf = (tenant: StatusView) => tenantIndex.get(tenant.tenantId) ?? -1;

  return html`<h1>Fleet: ${plural(view.tenants.length, 'tenant', 'tenants')}</h1>
<p class="lede">${view.tenants.length === 0 ? 'No tenant is watched yet.' : html`<strong>${needing === 0 ? 'None needs' : `${plural(needing, 'tenant needs', 'tenants need')}`} attention</strong>; ${plural(view.tenants.length - needing, 'has', 'have')} every asset OK (push certificate, VPP and ADE tokens, Intune’s other connectors).`}</p>
${severityTiles(listing, ctx)}
${notes.length > 0 ? html`<div class="alert-box" role="note">${notes}</div>` : ''}
<div class="fleet">
<section class="fleet-rows" aria-labelledby="assets-h">
<h2 id="assets-h">Assets</h2>
<form class="filter" role="search" method="get" action="${ctx.routes.dashboard}">
<label for="filter">Filter</label>
<input id="filter" name="q" type="search" value="${filter}" placeholder="tenant, asset, Apple ID or severity" autocomplete="off" aria-describedby="filter-count">
<button type="submit">Search</button>
<output id="filter-count" for="filter" aria-live="polite" data-assets="${shown.total.assets}" data-tenants="${shown.total.tenants}"${complete ? html` data-complete` : ''}>${matchCountText(shown.shown, shown.total, filtered)}</output>
${shown.pages > 1 ? html`<a class="pages" href="#pager">Page ${shown.page} of ${shown.pages}</a>` : ''}
${filtered ? html`<a class="clear" href="${ctx.routes.dashboard}">Show every tenant</a>` : ''}
</form>
${view.tenants.length === 0 ? html`<p class="empty">No tenant is configured.</p>` : html`<div class="scroll" role="region" aria-labelledby="assets-h" tabindex="0">
<table id="assets" class="reflow">
<thead><tr><th scope="col">Severity · time left</th><th scope="col">Tenant</th><th scope="col">Asset</th><th scope="col">Expires (UTC)</th><th scope="col">Apple ID</th><th scope="col">Last successful check</th><th scope="col">Last renewal</th></tr></thead>
${shown.attention.length === 0 ? '' : html`<tbody class="attention">
<tr class="group"><th colspan="7" scope="rowgroup">Needs attention: one row per asset, most urgent first</th></tr>
${shown.attention.map((r) => fleetRow(r, tenantOf(r.tenant), ctx))}
</tbody>`}
${shown.ok.length === 0 ? '' : html`<tbody class="ok">
<tr class="group"><th colspan="7" scope="rowgroup">OK: one row per tenant, soonest expiry first</th></tr>
${shown.ok.map((r) => okRow(r, tenantOf(r.tenant), ctx))}
</tbody>`}
</table>
</div>
<p id="filter-empty" class="empty"${shown.matched === 0 ? '' : html` hidden`}>Nothing matches “${filter.trim()}”.</p>
${pager(shown, filter, pageSize, ctx)}`}
</section>
${timelineSection(items, ctx, 'Next 90 days', 'fleet-timeline')}
</div>`;
}

/** "Lines 201–400 of 1,068" with the neighbouring pages, when the table does not fit on one. */
function pager(page: FleetPage, filter: string, pageSize: number, ctx: Ctx): SafeHtml | '' {
  if (page.pages === 1) return '';
  const last = Math.min(page.first + pageSize - 1, page.matched);
  const link = (to: number, rel: 'prev' | 'next', text: string) => html`<a rel="${rel}" href="${fleetHref(ctx, { q: filter.trim(), page: to })}">${text}</a>`;
  return html`<nav class="pager" id="pager" aria-label="Pages of the table">
<p>Lines ${page.first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${page.matched.toLocaleString('en-US')} (page ${page.page} of ${page.pages}).${page.page === 1 ? ' What needs attention comes first.' : ''} The filter box searches every page when you press Enter.</p>
${page.page > 1 ? link(page.page - 1, 'prev', '← Previous page') : ''}${page.page < page.pages ? link(page.page + 1, 'next', 'Next page →') : ''}
</nav>`;
}

function tenantCell(tenant: StatusView, ctx: Ctx): SafeHtml {
  return html`<td data-label="Tenant"><a href="${tenantHref(ctx, tenant.tenantId)}">${tenant.tenantName}</a>${tenant.tenantName === tenant.tenantId ? '' : html`<span class="sub id">${tenant.tenantId}</span>`}${consentNote(tenant)}</td>`;
}

function fleetRow(row: FleetRow, tenant: number, ctx: Ctx): SafeHtml {
  const { asset } = row;
  return html`<tr class="row-${row.severity}" data-filter="${row.filterText}" data-tenant="${tenant}" data-assets="${asset === null ? 0 : 1}">
${severityCell(row.severity, asset, ctx)}
${tenantCell(row.tenant, ctx)}
${assetCell(asset, row.tenant, false, ctx)}
${expiresCell(asset)}
${optionalCell('Apple ID', asset?.appleId ? appleIdText(asset.appleId) : null, 'apple')}
${lastCheckCell(row.tenant, ctx)}
${optionalCell('Last renewal', asset?.kind === 'apns' ? renewalSummary(row.tenant.lastRenewal, ctx) : null)}
</tr>`;
}

/** A tenant's OK assets on one line: their names, the soonest expiry, the Apple IDs they use. */
function okRow(row: OkRow, tenant: number, ctx: Ctx): SafeHtml {
  const next = row.next?.asset ?? null;
  const appleIds = [...new Set(row.rows.flatMap((r) => (r.asset?.appleId ? [r.asset.appleId] : [])))];
  const apns = row.rows.some((r) => r.asset?.kind === 'apns');
  const nextAt = row.next?.expiresAt ?? null;
  return html`<tr class="row-ok" data-filter="${row.filterText}" data-tenant="${tenant}" data-assets="${row.rows.length}">
<td data-label="Severity">${badge('ok')}${nextAt === null ? '' : html`<span class="left">next: ${timeLeftText(nextAt, ctx.now)}</span>`}</td>
${tenantCell(row.tenant, ctx)}
<th scope="row" data-label="${row.rows.length === 1 ? 'Asset' : `${row.rows.length} assets`}">${row.rows.map((r) => html`<span class="ok-asset">${r.asset?.name} <span class="tag">${kindShort(r.asset?.kind ?? '')}</span></span>`)}</th>
${next === null ? expiresCell(null) : expiresCell(next, `${kindShort(next.kind)} first`)}
${optionalCell('Apple ID', appleIds.length === 0 ? null : appleIds.map((id) => html`<span class="ok-asset">${appleIdText(id)}</span>`), 'apple')}
${lastCheckCell(row.tenant, ctx)}
${optionalCell('Last renewal', apns ? renewalSummary(row.tenant.lastRenewal, ctx) : null)}
</tr>`;
}

function timelineSection(items: TimelineItem[], ctx: Ctx, heading: string, className = 'timeline-section'): SafeHtml {
  if (items.length === 0) return html``;
  const { svg, later, notDrawn } = renderTimeline(items, ctx.now, ctx.bands, 'tl');
  const legend = SEVERITIES.slice()
    .reverse()
    .map((s: Severity) => html`<li>${severityGlyph(s)}${SEVERITY_LABEL[s]}</li>`);
  // On a phone the strip is wider than the screen: it says so where the eye lands, not only to a screen reader.
  return html`<section class="${className}" aria-labelledby="timeline-h">
<h2 id="timeline-h">${heading}</h2>
<p class="tl-hint" id="tl-hint">The strip is wider than the screen: swipe it sideways to see all 90 days →</p>
<figure class="timeline" aria-labelledby="timeline-h">
<div class="tl-wrap" role="region" aria-label="Expiry timeline" aria-describedby="tl-hint" tabindex="0">${svg}</div>
<figcaption><ul class="legend" aria-label="Marker shapes">${legend}</ul>${later > 0 ? html`<p>${later} more ${later === 1 ? 'expires' : 'expire'} after 90 days (listed in the table).</p>` : ''}${
  notDrawn > 0 ? html`<p>${notDrawn} more within the window ${notDrawn === 1 ? 'is' : 'are'} not drawn, to keep the strip readable: the table lists every one.</p>` : ''
}</figcaption>
</figure>
</section>`;
}

// ── Tenant view ───────────────────────────────────────────────────────────────────────────────

function tenantView(tenant: StatusView, view: FleetStatusView, ctx: Ctx): SafeHtml {
  const worst = tenant.assets.length === 0 ? 'unknown' : worstOf(tenant.assets.map((a) => a.severity));
  const apns = tenant.assets.find((a) => a.kind === 'apns');
  const stale = tenant.assets.filter((a) => a.stale);
  const items: TimelineItem[] = tenant.assets.flatMap((a) => {
    const expiresAt = parseIso(a.expiresAt);
    return expiresAt === null ? [] : [{ label: timelineLabel(a.name, a.severity, expiresAt, ctx.now, dateTitle(a)), short: a.name, severity: a.severity, expiresAt }];
  });

  const notes: SafeHtml[] = [];
  if (tenant.lastRun === null) {
    notes.push(html`<p><strong>No check has run for this tenant yet.</strong> Its assets appear after the first run (the daily timer, or <code>apns-monitor check --tenant ${tenant.tenantId}</code>).</p>`);
  } else if (!tenant.lastRun.ok) {
    const run = tenant.lastRun;
    const ran = parseIso(run.at);
    const monitor = tenant.assets.find((a) => a.kind === 'monitor' && a.severity !== 'ok');
    // The monitor's findings carry the hint (the permission to grant, the consent URL); else the run's own message.
    const why = monitor && monitor.findings.length > 0 ? monitor.findings.map((f) => html`<p>${linkified(f.message, ctx)}${f.hint ? html` ${linkified(f.hint, ctx)}` : ''}</p>`) : run.message ? html`<p>${linkified(run.message, ctx)}</p>` : '';
    notes.push(html`<p><strong>The last run failed</strong>${ran === null ? '' : html` ${relativeTime(ran, ctx.now)} (${utcMinute(ran)})`}${run.errorCode ? html`: <code>${run.errorCode}</code>` : ''}.</p>${why}`);
  }
  if (stale.length > 0) notes.push(html`<p><strong>${stale.length} ${stale.length === 1 ? 'asset shows its' : 'assets show their'} last known value</strong>: ${stale.length === 1 ? 'its kind' : 'their kinds'} could not be read on the latest run (marked “stale”).</p>`);

  return html`${ctx.fleetSize > 1 ? html`<p class="crumbs"><a href="${ctx.routes.dashboard}">All tenants</a></p>` : ''}
<h1>${tenant.tenantName}</h1>
<p class="lede">Tenant <code>${tenant.tenantId}</code>${tenant.tenantId === view.homeTenantId && view.fleet ? ' (home tenant)' : ''} · worst now: ${badge(worst)}</p>
${notes.length > 0 ? html`<div class="alert-box" role="note">${notes}</div>` : ''}
<h2 id="status-h">Status</h2>
<div class="panel"><dl class="facts">
<dt>Last run</dt><dd>${tenant.lastRun === null ? 'none yet' : html`${tenant.lastRun.ok ? 'OK' : html`<span class="tag tag-alert">failed</span>`} ${when(tenant.lastRun.at, ctx)}`}</dd>
<dt>Last successful check</dt><dd>${when(tenant.lastSuccessfulCheckAt, ctx)}</dd>
<dt>Pending deliveries</dt><dd>${tenant.pendingDeliveries === 0 ? 'none' : html`<strong>${tenant.pendingDeliveries}</strong> ${tenant.pendingDeliveries === 1 ? 'message is' : 'messages are'} waiting for a channel that refused ${tenant.pendingDeliveries === 1 ? 'it' : 'them'}; retried on the next run`}</dd>
<dt>Last renewal</dt><dd id="last-renewal">${renewalSummary(tenant.lastRenewal, ctx)}</dd>
</dl></div>
<h2 id="tenant-assets-h">Assets</h2>
${tenant.assets.length === 0 ? html`<p class="empty">No asset has been read for this tenant yet.</p>` : html`<div class="scroll" role="region" aria-labelledby="tenant-assets-h" tabindex="0">
<table id="tenant-assets" class="reflow">
<thead><tr><th scope="col">Severity · time left</th><th scope="col">Asset</th><th scope="col">Expires (UTC)</th><th scope="col">Apple ID</th><th scope="col">Topic · serial</th><th scope="col">Assessed</th></tr></thead>
${assetGroups(tenant, ctx).map(
  (g) => html`<tbody>
<tr class="group"><th colspan="6" scope="rowgroup" id="${`group-${g.id}`}">${g.title}</th></tr>
${g.assets.map((a) => html`<tr class="row-${a.inUse ? a.severity : 'ok'}">
${severityCell(a.severity, a, ctx)}
${assetCell(a, tenant, true, ctx)}
${expiresCell(a)}
${optionalCell('Apple ID', a.appleId, 'id')}
${optionalCell('Topic · serial', a.topic || a.serialNumber ? html`${a.topic ? html`<code class="wrap">${a.topic}</code>` : '—'}${a.serialNumber ? html`<span class="sub">serial <code>${a.serialNumber}</code></span>` : ''}` : null)}
<td class="when" data-label="Assessed">${when(a.assessedAt, ctx)}</td>
</tr>`)}
</tbody>`,
)}
</table>
</div>`}
${timelineSection(items, ctx, 'Next 90 days')}
${openAlertsSection(tenant)}
${acknowledgementsSection(tenant, ctx)}
${renewalSection(tenant, apns, ctx)}
${proposalsSection(tenant, ctx.viewer, ctx.now)}
${auditSection(tenant, ctx)}`;
}

const GROUP_TITLE: Record<KindGroup | 'monitor', string> = {
  apple: 'Apple MDM push certificate and tokens',
  connectors: 'Intune’s other connectors',
  monitor: 'The monitor itself',
};

/** The tenant's rows in groups (its Apple assets, then its connectors, then the monitor), each most urgent first. */
function assetGroups(tenant: StatusView, ctx: Ctx): { id: string; title: string; assets: AssetStatus[] }[] {
  const groupOf = (kind: string): KindGroup | 'monitor' => (isMonitoredKind(kind) ? kindSpec(kind).group : 'monitor');
  const assets = tenantRows(tenant, ctx.now, true).flatMap((r) => (r.asset ? [r.asset] : []));
  return (['apple', 'connectors', 'monitor'] as const)
    .map((id) => ({ id, title: GROUP_TITLE[id], assets: assets.filter((a) => groupOf(a.kind) === id) }))
    .filter((g) => g.assets.length > 0);
}

function openAlertsSection(tenant: StatusView): SafeHtml {
  const keys = Object.keys(tenant.openAlerts).sort();
  const nameOf = (key: string) => tenant.assets.find((a) => a.key === key)?.name ?? key;
  return html`<h2 id="alerts-h">Open alerts</h2>
${keys.length === 0 ? html`<p class="empty">No open alerts: no channel holds an unresolved alert for this tenant.</p>` : html`<div class="scroll" role="region" aria-labelledby="alerts-h" tabindex="0">
<table id="open-alerts" class="reflow">
<thead><tr><th scope="col">Asset</th><th scope="col">What each channel was last told</th></tr></thead>
<tbody>
${keys.map((key) => html`<tr><th scope="row" data-label="Asset">${nameOf(key)}<span class="sub"><code>${key}</code></span></th><td data-label="Last told">${Object.entries(tenant.openAlerts[key] ?? {})
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([channel, severity]) => html`<span class="told">${channel}: ${badge(severity)}</span> `)}</td></tr>`)}
</tbody>
</table>
</div>`}`;
}

function renewalSection(tenant: StatusView, apns: AssetStatus | undefined, ctx: Ctx): SafeHtml {
  const csr = `${ctx.routes.csr}?tenant=${encodeURIComponent(tenant.tenantId)}`;
  const appleId = apns?.appleId;
  const form = ctx.viewer.canRenew
    ? html`<form id="dryrun" class="dryrun" method="post" action="${ctx.routes.renew}" aria-describedby="dryrun-help">
<input type="hidden" name="tenantId" value="${tenant.tenantId}">
<fieldset disabled>
<legend>Check a renewed certificate (dry run)</legend>
<p class="help" id="dryrun-help">Runs every renewal check against Intune’s current certificate and stops before the upload: nothing changes in Intune. The attempt is recorded in the audit trail under your name.</p>
<label for="secretName">Key Vault secret name (optional)</label>
<input id="secretName" name="secretName" type="text" inputmode="text" maxlength="127" pattern="[0-9A-Za-z\\-]{1,127}" autocomplete="off" spellcheck="false" aria-describedby="secretName-help">
<p class="help" id="secretName-help">Letters, digits and hyphens. Empty: the configured default for this tenant.</p>
<button type="submit">Run the checks</button>
</fieldset>
</form>
<noscript><p class="help">The dry run needs JavaScript. Without it, run <code>apns-monitor renew --tenant ${tenant.tenantId} --dry-run</code>.</p></noscript>
<div id="dryrun-result" class="result" role="status" aria-live="polite"></div>`
    : html`<p class="help">The renewal dry run is offered to the <code>ApnsMonitor.Operator</code> role. Or run <code>apns-monitor renew --tenant ${tenant.tenantId} --dry-run</code>.</p>`;
  return html`<h2 id="renew-h">Renewal</h2>
<div class="panel">
<ol class="steps">
<li>${ctx.viewer.canRenew ? html`<a href="${csr}">Download the certificate signing request (CSR)</a> from Intune.` : html`Download the certificate signing request (CSR) from Intune: <code>apns-monitor csr --tenant ${tenant.tenantId}</code> (on this page, for the <code>ApnsMonitor.Operator</code> role).`}</li>
<li>In the <a href="${APPLE_PUSH_PORTAL_URL}">Apple Push Certificates Portal</a>, choose <em>Renew</em> next to the current certificate${appleId ? html`, signed in with the same Apple ID: <strong>${appleId}</strong>` : ' with the same Apple ID'}. A new certificate instead of a renewal breaks every enrolled device.</li>
<li>Store the <code>.pem</code> Apple returns in Key Vault as a new version of the certificate secret: every check runs at once and it is proposed below. Another person approves it there (or <code>apns-monitor renewals approve</code>); only then is it uploaded. The <a href="${INTUNE_ADMIN_CENTER_URL}">Intune admin center</a> shows the result.</li>
</ol>
${form}
</div>`;
}

const VIA_LABEL: Record<string, string> = { cli: 'CLI', http: 'HTTP', event: 'Event Grid' };

function auditSection(tenant: StatusView, ctx: Ctx): SafeHtml {
  const expiry = (c: { expiresAt: string } | null) => {
    const ms = parseIso(c?.expiresAt);
    return ms === null ? '—' : utcMinute(ms).slice(0, 10);
  };
  // One section the page's script replaces after a dry run (the attempt is recorded there).
  return html`<section id="audit-section" aria-labelledby="audit-h">
<h2 id="audit-h">Renewal audit trail</h2>
${tenant.renewals.length === 0 ? html`<p class="empty">No renewal attempt is recorded for this tenant.</p>` : html`<div class="scroll" role="region" aria-labelledby="audit-h" tabindex="0">
<table id="audit" class="reflow">
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Outcome</th><th scope="col">Expiry: old → new</th><th scope="col">Secret</th><th scope="col">Message</th></tr></thead>
<tbody>
${tenant.renewals.map((r) => html`<tr>
<td class="when" data-label="When">${when(r.at, ctx)}</td>
<th scope="row" data-label="Who">${r.actor}<span class="sub">via ${VIA_LABEL[r.via] ?? r.via}</span>${r.proposedBy ? html`<span class="sub">proposal <code>${r.proposalId ?? ''}</code> by ${r.proposedBy}</span>` : ''}</th>
<td data-label="Outcome">${outcomeText(r)}${r.allowNewTopic ? html`<span class="sub"><span class="tag tag-alert">new topic allowed</span></span>` : ''}</td>
<td class="when" data-label="Expiry: old → new">${expiry(r.old)} → ${expiry(r.new)}</td>
<td data-label="Secret"><code>${r.secretName}</code>${r.secretVersion ? html`<span class="sub">version <code>${r.secretVersion.slice(0, 12)}</code></span>` : ''}</td>
<td data-label="Message">${r.message}</td>
</tr>`)}
</tbody>
</table>
</div>`}
</section>`;
}
