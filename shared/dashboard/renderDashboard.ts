import { APPLE_PUSH_PORTAL_URL, INTUNE_ADMIN_CENTER_URL } from '../domain/alertEvent';
import { APNS_GRACE_DAYS, MS_PER_DAY } from '../domain/assessExpiry';
import { isMonitoredKind, type EpochMs } from '../domain/assets';
import { dateTitleOf, kindSpec } from '../domain/assetKinds';
import type { KindGroup } from '../domain/kinds/kindSpec';
import { DEFAULT_POLICY } from '../domain/policy';
import { SEVERITIES, worstOf, type Severity } from '../domain/severity';
import type { AssetStatus, AuditEntryView, FleetStatusView, StatusView } from '../useCases/getStatus';
import { fleetRows, rowMatches, tenantRows, type FleetRow } from './fleetRows';
import { isoOf, parseIso, relativeTime, SEVERITY_LABEL, timeLeftText, utcMinute, type ShownSeverity } from './format';
import { html, type HtmlValue, type SafeHtml } from './html';
import { renderErrorPage } from './renderErrorPage';
import { renderPage } from './renderPage';
import { proposalsSection, proposalsWaitingNote } from './renderProposals';
import { renderTimeline, severityGlyph, timelineLabel, type TimelineBands, type TimelineItem } from './renderTimeline';

/** Who is looking. `canRenew`: may run the renewal dry run and fetch the CSR (`ApnsMonitor.Operator`, or the local `serve`). */
export interface Viewer {
  name: string | null;
  canRenew: boolean;
  /**
   * On `apns-monitor serve`: an upload from the page (approving a proposal) also needs the key the
   * server printed on its terminal, typed by the person (SPEC §9: a confirmation no web page can forge).
   */
  confirmsUploadWithKey?: boolean;
}

/**
 * Where the page links and posts. `csr` and `renew` are the page's own action routes (a browser has
 * no function key for `/api/apns/csr` and `/api/apns/renew`, which stay for automation).
 */
export interface DashboardRoutes {
  dashboard: string;
  csr: string;
  renew: string;
}

export const DASHBOARD_ROUTES: DashboardRoutes = Object.freeze({ dashboard: '/api/apns/dashboard', csr: '/api/apns/dashboard/csr', renew: '/api/apns/dashboard/renew' });


export interface DashboardInput {
  view: FleetStatusView;
  /** `?tenant=ID`: the tenant view. Without it, a single tenant's view is shown directly. */
  selectedTenantId?: string;
  /** `?q=`: the fleet table's filter when the page is used without JavaScript. */
  filter?: string;
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
   * only these are made clickable. Any other `https://…` in the text — Graph's, which a customer's
   * admin can write into a token name — stays text.
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
  const ctx: Ctx = { now: input.now, routes, bands, viewer: input.viewer, fleetSize: input.view.tenants.length, links: linkPattern(input.links ?? []) };
  if (input.selectedTenantId !== undefined && tenant === null) {
    return renderErrorPage({
      title: 'Tenant not found',
      message: `No watched tenant has the id "${input.selectedTenantId}".`,
      nonce: input.nonce,
      viewerName: input.viewer.name,
      home: routes.dashboard,
    });
  }
  const main = tenant === null ? fleetView(input.view, input.filter ?? '', ctx) : tenantView(tenant, input.view, ctx);
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

function expiresCell(asset: AssetStatus | null): SafeHtml {
  const ms = parseIso(asset?.expiresAt);
  if (ms === null) return html`<td class="when" data-label="Expires (UTC)">—</td>`;
  const text = utcMinute(ms);
  // Not every date that matters is an expiry (a partner's "devices non-compliant from"): it says which.
  const title = asset ? dateTitle(asset) : 'Expires';
  const meaning = title !== 'Expires' ? html`<span class="sub">${title.toLowerCase()}</span>` : '';
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
  return html`<th scope="row" data-label="Asset">${asset.name} <span class="tag">${kindShort(asset.kind)}</span>${asset.stale ? html` <span class="tag">stale</span>` : ''}${lastSync(asset, ctx)}${findings.map(
    (f) => html`<span class="finding">${linkified(f.message, ctx)}</span>${full && f.hint ? html`<span class="sub">${linkified(f.hint, ctx)}</span>` : ''}`,
  )}${asset.stale ? html`<span class="sub">Last known value (assessed ${asset.assessedAt.slice(0, 10)}): not readable on the latest run.</span>` : ''}</th>`;
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

function fleetView(view: FleetStatusView, filter: string, ctx: Ctx): SafeHtml {
  const rows = fleetRows(view, ctx.now);
  const counts = new Map<ShownSeverity, number>();
  for (const row of rows) counts.set(row.severity, (counts.get(row.severity) ?? 0) + 1);
  const unreadable = view.tenants.filter((t) => t.lastRun !== null && !t.lastRun.ok).length;
  const unchecked = view.tenants.filter((t) => t.lastRun === null).length;
  const order: ShownSeverity[] = ['expired', 'critical', 'unknown', 'warning', 'notice', 'ok'];
  const tiles = order
    .filter((s) => s !== 'unknown' || (counts.get(s) ?? 0) > 0)
    .map((s) => html`<li><a href="${`${ctx.routes.dashboard}?q=${encodeURIComponent(SEVERITY_LABEL[s].toLowerCase())}`}"><span class="count">${counts.get(s) ?? 0}</span>${badge(s)}</a></li>`);
  const shown = rows.filter((r) => rowMatches(r, filter)).length;

  const attention: SafeHtml[] = [];
  if (unreadable > 0) attention.push(html`<p><strong>${unreadable} ${unreadable === 1 ? 'tenant' : 'tenants'} could not be read on the last run</strong> (consent, permission or network): see the rows marked “last run failed” and their monitor finding.</p>`);
  if (unchecked > 0) attention.push(html`<p><strong>${unchecked} ${unchecked === 1 ? 'tenant has' : 'tenants have'} not been checked yet</strong>: shown as “No data” until the first run reads ${unchecked === 1 ? 'it' : 'them'}.</p>`);
  const waiting = proposalsWaitingNote(view, (id) => tenantHref(ctx, id));
  if (waiting) attention.push(waiting);

  const items: TimelineItem[] = rows.flatMap((r) =>
    r.asset !== null && r.expiresAt !== null
      ? [{ label: timelineLabel(`${r.tenant.tenantName} — ${r.asset.name}`, r.asset.severity, r.expiresAt, ctx.now, dateTitle(r.asset)), short: `${r.tenant.tenantName} · ${kindShort(r.asset.kind)}`, severity: r.asset.severity, expiresAt: r.expiresAt, filterText: r.filterText }]
      : [],
  );

  return html`<h1>Fleet: ${view.tenants.length} ${view.tenants.length === 1 ? 'tenant' : 'tenants'}</h1>
<p class="lede">Every tenant’s Apple MDM push certificate, VPP and ADE tokens and Intune’s other connectors, most urgent first.</p>
<ul class="tiles" aria-label="Assets by severity">${tiles}</ul>
${attention.length > 0 ? html`<div class="alert-box" role="note">${attention}</div>` : ''}
${timelineSection(items, ctx, 'Next 90 days')}
<h2 id="assets-h">Assets</h2>
<form class="filter" role="search" method="get" action="${ctx.routes.dashboard}">
<label for="filter">Filter</label>
<input id="filter" name="q" type="search" value="${filter}" placeholder="tenant, asset, Apple ID or severity" autocomplete="off" aria-describedby="filter-count">
<output id="filter-count" for="filter" aria-live="polite">${filter.trim() === '' ? `${rows.length} rows` : `${shown} of ${rows.length} rows match`}</output>
</form>
${rows.length === 0 ? html`<p class="empty">No tenant is configured.</p>` : html`<div class="scroll" role="region" aria-labelledby="assets-h" tabindex="0">
<table id="assets" class="reflow">
<thead><tr><th scope="col">Severity · time left</th><th scope="col">Tenant</th><th scope="col">Asset</th><th scope="col">Expires (UTC)</th><th scope="col">Apple ID</th><th scope="col">Last successful check</th><th scope="col">Last renewal</th></tr></thead>
<tbody>
${rows.map((r) => fleetRow(r, filter, ctx))}
</tbody>
</table>
</div>`}`;
}

function fleetRow(row: FleetRow, filter: string, ctx: Ctx): SafeHtml {
  const { tenant, asset } = row;
  return html`<tr class="row-${row.severity}" data-filter="${row.filterText}"${rowMatches(row, filter) ? '' : html` hidden`}>
${severityCell(row.severity, asset, ctx)}
<td data-label="Tenant"><a href="${tenantHref(ctx, tenant.tenantId)}">${tenant.tenantName}</a>${tenant.tenantName === tenant.tenantId ? '' : html`<span class="sub id">${tenant.tenantId}</span>`}</td>
${assetCell(asset, tenant, false, ctx)}
${expiresCell(asset)}
<td class="apple" data-label="Apple ID">${asset?.appleId ? appleIdText(asset.appleId) : '—'}</td>
${lastCheckCell(tenant, ctx)}
<td data-label="Last renewal">${asset?.kind === 'apns' ? renewalSummary(tenant.lastRenewal, ctx) : '—'}</td>
</tr>`;
}

function timelineSection(items: TimelineItem[], ctx: Ctx, heading: string): SafeHtml {
  if (items.length === 0) return html``;
  const { svg, later, notDrawn } = renderTimeline(items, ctx.now, ctx.bands, 'tl');
  const legend = SEVERITIES.slice()
    .reverse()
    .map((s: Severity) => html`<li>${severityGlyph(s)}${SEVERITY_LABEL[s]}</li>`);
  return html`<h2 id="timeline-h">${heading}</h2>
<figure class="timeline" aria-labelledby="timeline-h">
<div class="tl-wrap" role="region" aria-label="Expiry timeline (scrolls sideways on narrow screens)" tabindex="0">${svg}</div>
<figcaption><ul class="legend" aria-label="Marker shapes">${legend}</ul>${later > 0 ? html`<p>${later} more ${later === 1 ? 'expires' : 'expire'} after 90 days (listed in the table).</p>` : ''}${
  notDrawn > 0 ? html`<p>${notDrawn} more within the window ${notDrawn === 1 ? 'is' : 'are'} not drawn, to keep the strip readable: the table lists every one.</p>` : ''
}</figcaption>
</figure>`;
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
<dt>Last renewal</dt><dd>${renewalSummary(tenant.lastRenewal, ctx)}</dd>
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
<td class="id" data-label="Apple ID">${a.appleId ?? '—'}</td>
<td data-label="Topic · serial">${a.topic ? html`<code class="wrap">${a.topic}</code>` : '—'}${a.serialNumber ? html`<span class="sub">serial <code>${a.serialNumber}</code></span>` : ''}</td>
<td class="when" data-label="Assessed">${when(a.assessedAt, ctx)}</td>
</tr>`)}
</tbody>`,
)}
</table>
</div>`}
${timelineSection(items, ctx, 'Next 90 days')}
${openAlertsSection(tenant)}
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
  return html`<h2 id="audit-h">Renewal audit trail</h2>
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
</div>`}`;
}
