import { daysRemaining } from '../domain/assessExpiry';
import { MONITORED_KINDS, type EpochMs } from '../domain/assets';
import type { AssetStatus, FleetStatusView, StatusView } from '../useCases/getStatus';
import { filterTerms, matchesTerms } from './filterMatch';
import { parseIso, SEVERITY_LABEL, type ShownSeverity } from './format';

/** One line of the fleet table: a tenant × asset, or a tenant no run has read yet (`asset: null`). */
export interface FleetRow {
  tenant: StatusView;
  asset: AssetStatus | null;
  severity: ShownSeverity;
  expiresAt: EpochMs | null;
  /** Whole days from the page's `now` to the expiry (the stored value when there is no date). */
  days: number | null;
  /** Lower-case text the filter box matches (server side and in the page's script alike). */
  filterText: string;
}

// Expired first; a tenant nobody could read yet is less urgent than a known critical but more
// than a warning: an on-call engineer must notice an unwatched tenant.
const URGENCY: Record<ShownSeverity, number> = { expired: 6, critical: 5, unknown: 4, warning: 3, notice: 2, ok: 1 };
const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare;
// Within a tenant and a band: the registry's order (APNs, VPP, ADE, then the connectors), the monitor last.
const KIND_ORDER: Record<string, number> = Object.fromEntries([...MONITORED_KINDS, 'monitor'].map((k, i) => [k, i]));

// The words a row is found by (filterMatch): its tenant's, then each asset's, lower case.
const textOf = (words: readonly (string | null | undefined)[]) =>
  words
    .filter((w): w is string => typeof w === 'string' && w !== '')
    .join(' ')
    .toLowerCase();
const tenantWords = (tenant: StatusView) => [tenant.tenantName, tenant.tenantId, tenant.lastRun !== null && !tenant.lastRun.ok ? 'failed' : null];
const assetWords = (asset: AssetStatus | null, severity: ShownSeverity) => [asset?.name, asset?.kind, asset?.appleId, asset?.inUse === false ? 'not in use' : SEVERITY_LABEL[severity], severityTag(severity), asset?.stale ? 'stale' : null];

/**
 * The exact word for a severity ("is:critical", "is:no-data"): what the counts' tiles link to. A
 * bare "ok" would also find every "token"; this finds exactly the assets a tile counts.
 */
export function severityTag(severity: ShownSeverity): string {
  return `is:${SEVERITY_LABEL[severity].toLowerCase().replace(/ /g, '-')}`;
}

function rowOf(tenant: StatusView, asset: AssetStatus | null, now: EpochMs): FleetRow {
  const expiresAt = parseIso(asset?.expiresAt);
  const severity: ShownSeverity = asset?.severity ?? 'unknown';
  return {
    tenant,
    asset,
    severity,
    expiresAt,
    days: expiresAt !== null ? daysRemaining(expiresAt, now) : (asset?.daysRemaining ?? null),
    filterText: textOf([...tenantWords(tenant), ...assetWords(asset, severity)]),
  };
}

/**
 * One tenant's rows, most urgent first. The fleet table leaves out a healthy monitor row (the "last
 * successful check" column says it) and the connectors the tenant does not use (never alerting);
 * the tenant view (`full`) shows them. A tenant with nothing else still gets one row, so no tenant
 * is ever missing from the table.
 */
export function tenantRows(tenant: StatusView, now: EpochMs, full = false): FleetRow[] {
  const shown = full ? tenant.assets : tenant.assets.filter((a) => !(a.kind === 'monitor' && a.severity === 'ok') && a.inUse !== false);
  const assets = shown.length > 0 ? shown : tenant.assets.slice(0, 1);
  const rows = assets.length === 0 ? [rowOf(tenant, null, now)] : assets.map((a) => rowOf(tenant, a, now));
  return rows.sort(compareUrgency);
}

/**
 * The fleet table's rows, most urgent first: by severity (a monitor that cannot read Intune is
 * critical), then fewest days left (within a band, no date first: nothing is known), then tenant
 * and asset.
 */
export function fleetRows(view: FleetStatusView, now: EpochMs): FleetRow[] {
  return view.tenants.flatMap((t) => tenantRows(t, now)).sort(compareUrgency);
}

// Without a date, a row is most urgent in a bad band (nothing is known) and last among the healthy.
const daysKey = (row: FleetRow) => row.days ?? (row.severity === 'ok' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);

const unused = (row: FleetRow) => (row.asset?.inUse === false ? 1 : 0);

export function compareUrgency(a: FleetRow, b: FleetRow): number {
  return (
    URGENCY[b.severity] - URGENCY[a.severity] ||
    unused(a) - unused(b) ||
    daysKey(a) - daysKey(b) ||
    byName(a.tenant.tenantName, b.tenant.tenantName) ||
    (KIND_ORDER[a.asset?.kind ?? ''] ?? 9) - (KIND_ORDER[b.asset?.kind ?? ''] ?? 9) ||
    byName(a.asset?.name ?? '', b.asset?.name ?? '')
  );
}

// ── The fleet table of hundreds of tenants ────────────────────────────────────────────────────

/**
 * A tenant's assets that are OK, collapsed into one line: a fleet of hundreds is mostly these, and
 * a line per healthy asset would bury the few that need someone (and weigh megabytes).
 */
export interface OkRow {
  tenant: StatusView;
  /** Each OK asset as its own row would be (severity ok), in the registry's order. */
  rows: FleetRow[];
  /** The one that expires soonest (null: none has a date). */
  next: FleetRow | null;
  filterText: string;
}

/** The fleet table: what needs attention asset by asset, then the rest tenant by tenant. */
export interface FleetListing {
  /** Every asset that is not OK, and each tenant no run has read, most urgent first. */
  attention: FleetRow[];
  /** One line per tenant with OK assets, soonest expiry first. */
  ok: OkRow[];
}

export interface Tally {
  assets: number;
  tenants: number;
}

export function fleetListing(view: FleetStatusView, now: EpochMs): FleetListing {
  const attention: FleetRow[] = [];
  const ok: OkRow[] = [];
  for (const tenant of view.tenants) {
    const rows = tenantRows(tenant, now);
    const fine = rows.filter((r) => r.severity === 'ok');
    attention.push(...rows.filter((r) => r.severity !== 'ok'));
    if (fine.length === 0) continue;
    fine.sort((a, b) => (KIND_ORDER[a.asset?.kind ?? ''] ?? 9) - (KIND_ORDER[b.asset?.kind ?? ''] ?? 9));
    const dated = fine.filter((r) => r.expiresAt !== null).sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number));
    ok.push({ tenant, rows: fine, next: dated[0] ?? null, filterText: textOf([...tenantWords(tenant), ...fine.flatMap((r) => assetWords(r.asset, 'ok'))]) });
  }
  attention.sort(compareUrgency);
  ok.sort((a, b) => (a.next?.expiresAt ?? Number.POSITIVE_INFINITY) - (b.next?.expiresAt ?? Number.POSITIVE_INFINITY) || byName(a.tenant.tenantName, b.tenant.tenantName));
  return { attention, ok };
}

/** How many assets and tenants some lines of the table stand for (a "No data" line: a tenant, no asset). */
export function tallyOf(attention: readonly FleetRow[], ok: readonly OkRow[]): Tally {
  const tenants = new Set<string>();
  let assets = 0;
  for (const r of attention) {
    tenants.add(r.tenant.tenantId);
    if (r.asset !== null) assets++;
  }
  for (const r of ok) {
    tenants.add(r.tenant.tenantId);
    assets += r.rows.length;
  }
  return { assets, tenants: tenants.size };
}

export interface FleetPage {
  /** The lines of this page that match the filter: attention first, then OK lines. */
  attention: FleetRow[];
  ok: OkRow[];
  /** 1-based; clamped to the pages there are. */
  page: number;
  pages: number;
  /** Position of this page's first line among the matching lines (1-based), and how many match. */
  first: number;
  matched: number;
  /** The whole fleet table, and the part of it that matches (all pages). */
  total: Tally;
  shown: Tally;
}

/**
 * One page of the lines that match the filter (the server's `?q=`, with the same matching as the
 * page's live filter). Attention comes first, so the first page holds the most urgent lines.
 */
export function fleetPage(listing: FleetListing, filter: string, page: number, pageSize: number): FleetPage {
  const terms = filterTerms(filter);
  const attention = listing.attention.filter((r) => matchesTerms(r.filterText, terms));
  const ok = listing.ok.filter((r) => matchesTerms(r.filterText, terms));
  const matched = attention.length + ok.length;
  const pages = Math.max(1, Math.ceil(matched / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const start = current === 1 ? 0 : (current - 1) * pageSize; // (0 × Infinity is NaN: a page size of Infinity is one page)
  const end = start + pageSize;
  const total = tallyOf(listing.attention, listing.ok);
  return {
    attention: attention.slice(start, end),
    ok: ok.slice(Math.max(0, start - attention.length), Math.max(0, end - attention.length)),
    page: current,
    pages,
    first: matched === 0 ? 0 : start + 1,
    matched,
    total,
    shown: terms.length === 0 ? total : tallyOf(attention, ok),
  };
}
