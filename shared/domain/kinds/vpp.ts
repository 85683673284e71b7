import type { EpochMs } from '../assets';
import { assessExpiry, expiryFinding } from '../assessExpiry';
import type { AlertAsset, Assessment, Finding } from '../assessment';
import { itemWhat, optionalDate, optionalString, requiredDate, requiredString, type Json } from '../graphJson';
import { APPLE_BUSINESS_MANAGER, INTUNE_ADMIN_CENTER } from '../links';
import type { Severity } from '../severity';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

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

const VPP_STATE_SEVERITY: Record<string, Severity> = {
  expired: 'expired',
  invalid: 'critical',
  // Another MDM took the token over: Intune no longer manages those licences.
  assignedToExternalMDM: 'critical',
  duplicateLocationId: 'warning',
  unknown: 'warning',
};

export const vppLabel = (o: Json): unknown => o.organizationName || o.appleId;

export function parseVppToken(obj: Json): VppToken {
  const what = itemWhat('VPP token', obj);
  return {
    id: requiredString(obj, 'id', what),
    appleId: optionalString(obj, 'appleId', what) ?? '',
    organizationName: optionalString(obj, 'organizationName', what) ?? '',
    expirationDateTime: requiredDate(obj, 'expirationDateTime', what),
    state: optionalString(obj, 'state', what) ?? 'unknown',
    lastSyncStatus: optionalString(obj, 'lastSyncStatus', what),
    lastSyncDateTime: optionalDate(obj, 'lastSyncDateTime', what),
  };
}

export function assessVpp(token: VppToken, ctx: KindContext): Assessment {
  const { now, policy } = ctx;
  // v1.0 has no displayName (beta only): the organization, then the Apple ID (SPEC §2).
  const label = token.organizationName || token.appleId || token.id;
  const what = `The VPP token "${label}"`;
  const findings = [expiryFinding(what, token.expirationDateTime, now, policy, false)];
  if (token.state !== 'valid') {
    const severity = VPP_STATE_SEVERITY[token.state] ?? 'warning';
    findings.push({ code: 'vpp_state', severity, message: `${what} is in state "${token.state}".` });
  }
  if (token.lastSyncStatus === 'failed') {
    findings.push({ code: 'vpp_sync_failed', severity: 'warning', message: `${what} failed its last sync with Apple.` });
  }
  return assessFacts(ctx, {
    kind: 'vpp',
    assetId: token.id,
    name: `VPP token "${label}"`,
    appleId: token.appleId,
    expiresAt: token.expirationDateTime,
    daysRemaining: assessExpiry(token.expirationDateTime, now, policy).daysRemaining,
    findings,
    sync: { what, verb: 'synced with Apple', at: token.lastSyncDateTime ?? null },
  });
}

const SYNC_CODES = new Set(['vpp_sync_failed', 'sync_stale']);

/** A token that only stopped syncing needs a sync, not a renewal; one that expires (or is invalid) needs a renewal. */
function nextSteps(asset: AlertAsset, findings: readonly Finding[]): string[] {
  const renew = [
    `Download a renewed VPP (Apps and Books) token in Apple Business Manager signed in as ${asset.appleId ?? 'the token owner'}.`,
    'Upload it in the Intune admin center: Tenant administration > Connectors and tokens > Apple VPP tokens.',
  ];
  if (findings.length === 0 || findings.some((f) => !SYNC_CODES.has(f.code))) return renew;
  return [
    'Sync the token in the Intune admin center: Tenant administration > Connectors and tokens > Apple VPP tokens > select the token > Sync.',
    `If it keeps failing, sign in to Apple Business Manager as ${asset.appleId ?? 'the token owner'}: accept any new terms, check that the token is still assigned to Intune, and download a new token if needed.`,
  ];
}

/**
 * `GET /v1.0/deviceAppManagement/vppTokens`. v1.0's vppToken has 11 properties and no
 * `displayName` or `locationName` (beta only): a token is named by `organizationName`, then
 * `appleId` (SPEC §2). `state` is a `vppTokenState` (unknown, valid, expired, invalid,
 * assignedToExternalMDM); `lastSyncStatus` a `vppTokenSyncStatus` (none, inProgress, completed,
 * failed); `lastSyncDateTime` is a non-nullable DateTimeOffset (`0001-01-01` = never synced).
 */
export const vppKind: CollectionKind<'vpp', VppToken> = {
  kind: 'vpp',
  shape: 'collection',
  short: 'VPP',
  label: 'VPP token',
  resource: 'the VPP tokens',
  group: 'apple',
  read: { version: 'v1.0', path: '/deviceAppManagement/vppTokens', permission: BASE_READ_PERMISSION },
  date: { title: 'Expires' },
  item: { label: 'VPP token', where: 'Tenant administration > Connectors and tokens > Apple VPP tokens' },
  parseItem: parseVppToken,
  labelOf: vppLabel,
  assess: (tokens, ctx) => tokens.map((t) => assessVpp(t, ctx)),
  absent: () => [],
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER, APPLE_BUSINESS_MANAGER],
};
