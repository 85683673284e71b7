import type { EpochMs } from '../assets';
import { assessExpiry, expiryFinding } from '../assessExpiry';
import type { AlertAsset, Assessment, Finding } from '../assessment';
import { itemWhat, optionalDate, optionalNumber, optionalString, requiredDate, requiredString, type Json } from '../graphJson';
import { APPLE_BUSINESS_MANAGER, INTUNE_ADMIN_CENTER } from '../links';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/** An ADE (Apple automated device enrollment, formerly DEP) token as read from beta. */
export interface AdeToken {
  id: string;
  appleIdentifier: string;
  tokenName?: string | null;
  tokenExpirationDateTime: EpochMs;
  lastSuccessfulSyncDateTime?: EpochMs | null;
  /** 0 when the last sync worked. Apple's codes are not documented by Microsoft. */
  lastSyncErrorCode?: number | null;
}

/**
 * Community tools (CIPP among them) read code 3 as Apple Business Manager's new terms waiting to be
 * accepted; Microsoft documents no codes, so the message says "often".
 */
const ABM_TERMS_CODE = 3;
const ABM_TERMS = 'often: new Apple Business Manager terms to accept — sign in to business.apple.com and accept them';

export const adeLabel = (o: Json): unknown => o.tokenName || o.appleIdentifier;

export function parseAdeToken(obj: Json): AdeToken {
  const what = itemWhat('ADE token', obj);
  return {
    id: requiredString(obj, 'id', what),
    appleIdentifier: optionalString(obj, 'appleIdentifier', what) ?? '',
    tokenName: optionalString(obj, 'tokenName', what),
    tokenExpirationDateTime: requiredDate(obj, 'tokenExpirationDateTime', what),
    lastSuccessfulSyncDateTime: optionalDate(obj, 'lastSuccessfulSyncDateTime', what),
    lastSyncErrorCode: optionalNumber(obj, 'lastSyncErrorCode', what),
  };
}

export function assessAde(token: AdeToken, ctx: KindContext): Assessment {
  const { now, policy } = ctx;
  const label = token.tokenName || token.appleIdentifier;
  const what = `The ADE (automated device enrollment) token "${label}"`;
  const findings: Finding[] = [expiryFinding(what, token.tokenExpirationDateTime, now, policy, false)];
  const code = token.lastSyncErrorCode ?? 0;
  if (code !== 0) {
    const meaning = code === ABM_TERMS_CODE ? ` (${ABM_TERMS})` : '';
    findings.push({ code: 'sync_error', severity: 'warning', message: `${what} reports sync error code ${code}${meaning}: no new devices or changes reach Intune from Apple Business Manager until it syncs.` });
  }
  return assessFacts(ctx, {
    kind: 'ade',
    assetId: token.id,
    name: `ADE token "${label}"`,
    appleId: token.appleIdentifier,
    expiresAt: token.tokenExpirationDateTime,
    daysRemaining: assessExpiry(token.tokenExpirationDateTime, now, policy).daysRemaining,
    findings,
    sync: { what, verb: 'synced with Apple', at: token.lastSuccessfulSyncDateTime ?? null },
  });
}

/** Terms to accept first (they block every sync), then a sync, then a new token when it expires. */
function nextSteps(asset: AlertAsset, findings: readonly Finding[]): string[] {
  const owner = asset.appleId ?? 'the token owner';
  const steps: string[] = [];
  if (findings.some((f) => f.code === 'sync_error' || f.code === 'sync_stale')) {
    steps.push(
      `Sign in to Apple Business Manager (business.apple.com) as ${owner} and accept any new terms and conditions: until then Apple refuses every sync.`,
      'Then sync the token in the Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens > select the token > Sync.',
    );
  }
  if (steps.length === 0 || findings.some((f) => f.code === 'expiry')) {
    steps.push(
      `Download a new server token for the MDM server in Apple Business Manager signed in as ${owner}.`,
      'Upload it in the Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens.',
    );
  }
  return steps;
}

/**
 * `GET /beta/deviceManagement/depOnboardingSettings`: the collection exists only in beta (SPEC §2).
 * `lastSuccessfulSyncDateTime` (`0001-01-01` = never) and `lastSyncErrorCode` (Int32, 0 = none) are
 * properties of beta's depOnboardingSetting.
 */
export const adeKind: CollectionKind<'ade', AdeToken> = {
  kind: 'ade',
  shape: 'collection',
  short: 'ADE',
  label: 'ADE token',
  resource: 'the ADE tokens',
  group: 'apple',
  read: { version: 'beta', path: '/deviceManagement/depOnboardingSettings', permission: BASE_READ_PERMISSION },
  date: { title: 'Expires' },
  item: { label: 'ADE token', where: 'Devices > Enrollment > Apple > Enrollment program tokens' },
  parseItem: parseAdeToken,
  labelOf: adeLabel,
  assess: (tokens, ctx) => tokens.map((t) => assessAde(t, ctx)),
  absent: () => [],
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER, APPLE_BUSINESS_MANAGER],
};
