import type { AppError } from './errors';

/** What is monitored (SPEC §2). */
export const ASSET_KINDS = ['apns', 'vpp', 'ade', 'monitor'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];
/** The kinds read from Graph (every kind but the monitor's own health). */
export const MONITORED_KINDS = ['apns', 'vpp', 'ade'] as const;
export type MonitoredKind = (typeof MONITORED_KINDS)[number];

/** Times are epoch milliseconds (UTC): plain, serialisable, comparable. */
export type EpochMs = number;

/** Intune's Apple MDM push certificate as read (`certificate` is always null on read, never kept). */
export interface ApnsCertificate {
  topicIdentifier: string;
  appleIdentifier: string;
  expirationDateTime: EpochMs;
  certificateSerialNumber: string;
  lastModifiedDateTime?: EpochMs;
  certificateUploadStatus?: string | null;
  certificateUploadFailureReason?: string | null;
}

/** A VPP token as read from v1.0 (which has no `displayName` or `locationName`: those are beta only). */
export interface VppToken {
  id: string;
  appleId: string;
  organizationName: string;
  expirationDateTime: EpochMs;
  /** `valid`, `expired`, `invalid`, `assignedToExternalMDM`, `unknown`, … */
  state: string;
  /** `none`, `inProgress`, `completed`, `failed`, … */
  lastSyncStatus?: string | null;
  lastSyncDateTime?: EpochMs | null;
}

export interface AdeToken {
  id: string;
  appleIdentifier: string;
  tokenName?: string | null;
  tokenExpirationDateTime: EpochMs;
  lastSuccessfulSyncDateTime?: EpochMs | null;
}

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

/** Everything one monitoring run reads from a tenant. */
export interface TenantSnapshot {
  tenantId: string;
  readAt: EpochMs;
  apns: ReadOutcome<ApnsCertificate>;
  vpp: ReadOutcome<VppToken[]>;
  ade: ReadOutcome<AdeToken[]>;
}

/** The stable key of an alertable condition: `{tenantId}:{kind}:{assetId}` (SPEC §3). */
export function alertKey(tenantId: string, kind: AssetKind, assetId: string): string {
  return `${tenantId}:${kind}:${assetId}`;
}

/** Asset id of the APNs condition when the tenant has no certificate at all. */
export const APNS_NOT_CONFIGURED_ID = 'not-configured';
/** Asset id of the monitor's own health. */
export const MONITOR_ASSET_ID = 'monitor';
