import type { AppError } from './errors';

/**
 * The kinds read from Graph (SPEC §2, §14), in the order they are assessed: each is described once
 * in `assetKinds.ts` (its Graph read, parser, assessment, names, next steps and permission).
 */
export const MONITORED_KINDS = ['apns', 'vpp', 'ade', 'certconnectors', 'mtd', 'googleplay', 'partners', 'autopilot', 'exchange', 'connectorstatus'] as const;
export type MonitoredKind = (typeof MONITORED_KINDS)[number];
/** What is monitored: every kind read from Graph, and the monitor's own health. */
export const ASSET_KINDS = [...MONITORED_KINDS, 'monitor'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export function isAssetKind(value: unknown): value is AssetKind {
  return typeof value === 'string' && (ASSET_KINDS as readonly string[]).includes(value);
}

export function isMonitoredKind(value: unknown): value is MonitoredKind {
  return typeof value === 'string' && (MONITORED_KINDS as readonly string[]).includes(value);
}

/** Times are epoch milliseconds (UTC): plain, serialisable, comparable. */
export type EpochMs = number;

/**
 * One item of a list that Graph returned but that could not be read (a VPP token with a null
 * expiry): reported on its own, never hiding the other items of its kind.
 */
export interface UnreadableItem {
  /** The item's id when it has one (its alert key), else undefined (reported by the monitor). */
  id: string | undefined;
  /** Its name when readable (`organizationName`, `tokenName`, …). */
  label: string | undefined;
  error: AppError;
}

/**
 * One resource read: its value, "not configured" (Graph 404 ResourceNotFound, 204, or an entity of
 * nulls and 0001-01-01 dates), a failure that the monitor reports as its own alert, or "skipped"
 * when the kind is switched off by configuration.
 */
export type ReadOutcome<T> =
  | { status: 'ok'; value: T; unreadable?: UnreadableItem[] }
  | { status: 'not_configured' }
  | { status: 'failed'; error: AppError }
  | { status: 'skipped' };

/** The stable key of an alertable condition: `{tenantId}:{kind}:{assetId}` (SPEC §3). */
export function alertKey(tenantId: string, kind: AssetKind, assetId: string): string {
  return `${tenantId}:${kind}:${assetId}`;
}

/** Asset id of the APNs condition when the tenant has no certificate at all. */
export const APNS_NOT_CONFIGURED_ID = 'not-configured';
/** Asset id of the monitor's own health. */
export const MONITOR_ASSET_ID = 'monitor';
