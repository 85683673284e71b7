import { daysRemaining } from '../domain/assessExpiry';
import { MONITORED_KINDS, type EpochMs } from '../domain/assets';
import type { AssetStatus, FleetStatusView, StatusView } from '../useCases/getStatus';
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

function rowOf(tenant: StatusView, asset: AssetStatus | null, now: EpochMs): FleetRow {
  const expiresAt = parseIso(asset?.expiresAt);
  const severity: ShownSeverity = asset?.severity ?? 'unknown';
  const lastRunFailed = tenant.lastRun !== null && !tenant.lastRun.ok;
  const words = [tenant.tenantName, tenant.tenantId, asset?.name, asset?.kind, asset?.appleId, asset?.inUse === false ? 'not in use' : SEVERITY_LABEL[severity], asset?.stale ? 'stale' : null, lastRunFailed ? 'failed' : null];
  return {
    tenant,
    asset,
    severity,
    expiresAt,
    days: expiresAt !== null ? daysRemaining(expiresAt, now) : (asset?.daysRemaining ?? null),
    filterText: words.filter((w): w is string => typeof w === 'string' && w !== '').join(' ').toLowerCase(),
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

export function rowMatches(row: FleetRow, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  return q === '' || row.filterText.includes(q);
}
