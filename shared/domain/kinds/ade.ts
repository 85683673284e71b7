import { alertKey, type EpochMs } from '../assets';
import { assessExpiry, expiryFinding } from '../assessExpiry';
import { finishAssessment, type Assessment } from '../assessment';
import { optionalDate, optionalString, requiredDate, requiredString, shorten, type Json } from '../graphJson';
import { APPLE_BUSINESS_MANAGER, INTUNE_ADMIN_CENTER } from '../links';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/** An ADE (Apple automated device enrollment, formerly DEP) token as read from beta. */
export interface AdeToken {
  id: string;
  appleIdentifier: string;
  tokenName?: string | null;
  tokenExpirationDateTime: EpochMs;
  lastSuccessfulSyncDateTime?: EpochMs | null;
}

export const adeLabel = (o: Json): unknown => o.tokenName || o.appleIdentifier;

export function parseAdeToken(obj: Json): AdeToken {
  const what = `the ADE token${typeof obj.id === 'string' ? ` ${shorten(obj.id)}` : ''}`;
  return {
    id: requiredString(obj, 'id', what),
    appleIdentifier: optionalString(obj, 'appleIdentifier', what) ?? '',
    tokenName: optionalString(obj, 'tokenName', what),
    tokenExpirationDateTime: requiredDate(obj, 'tokenExpirationDateTime', what),
    lastSuccessfulSyncDateTime: optionalDate(obj, 'lastSuccessfulSyncDateTime', what),
  };
}

export function assessAde(token: AdeToken, ctx: KindContext): Assessment {
  const { tenantId, now, policy } = ctx;
  const label = token.tokenName || token.appleIdentifier;
  return finishAssessment(
    {
      key: alertKey(tenantId, 'ade', token.id),
      tenantId,
      kind: 'ade',
      assetId: token.id,
      name: `ADE token "${label}"`,
      appleId: token.appleIdentifier,
      expiresAt: token.tokenExpirationDateTime,
      daysRemaining: assessExpiry(token.tokenExpirationDateTime, now, policy).daysRemaining,
      assessedAt: now,
    },
    [expiryFinding(`The ADE (automated device enrollment) token "${label}"`, token.tokenExpirationDateTime, now, policy, false)],
  );
}

/** `GET /beta/deviceManagement/depOnboardingSettings`: the collection exists only in beta (SPEC §2). */
export const adeKind: CollectionKind<'ade'> = {
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
  nextSteps: (asset) => [
    `Download a new server token for the MDM server in Apple Business Manager signed in as ${asset.appleId ?? 'the token owner'}.`,
    'Upload it in the Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens.',
  ],
  links: () => [INTUNE_ADMIN_CENTER, APPLE_BUSINESS_MANAGER],
};
