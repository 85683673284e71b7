import { alertKey, APNS_NOT_CONFIGURED_ID, type EpochMs } from '../assets';
import { assessExpiry, expiryFinding } from '../assessExpiry';
import { finishAssessment, type AlertAsset, type Assessment, type Finding } from '../assessment';
import { parseGraphDateTime, isUnsetGraphDate } from '../graphDateTime';
import { asObject, optionalDate, optionalString, requiredDate, requiredString, type Json } from '../graphJson';
import { APPLE_PUSH_PORTAL, INTUNE_ADMIN_CENTER } from '../links';
import { BASE_READ_PERMISSION, type EntityKind, type KindContext } from './kindSpec';

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

const UPLOAD_FAILED_STATUSES = new Set(['failed', 'failure', 'error']);
const NAME = 'Apple MDM push certificate';

/**
 * An APNs entity that is not there: a tenant without a certificate may answer 200 with null strings
 * and the `DateTimeOffset` default `0001-01-01T00:00:00Z` instead of 404 (SPEC §2).
 */
export function isUnconfiguredApns(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const obj = body as Json;
  const topic = obj.topicIdentifier;
  const noTopic = topic === undefined || topic === null || (typeof topic === 'string' && topic.trim() === '');
  const expiry = parseGraphDateTime(obj.expirationDateTime);
  const noExpiry = obj.expirationDateTime === undefined || obj.expirationDateTime === null || (expiry !== undefined && isUnsetGraphDate(expiry));
  return noTopic && noExpiry;
}

export function parseApnsCertificate(body: unknown): ApnsCertificate {
  const what = 'the APNs certificate';
  const obj = asObject(body, what);
  const cert: ApnsCertificate = {
    topicIdentifier: requiredString(obj, 'topicIdentifier', what),
    // Nullable per the v1.0 CSDL; the renewal then asks for it.
    appleIdentifier: optionalString(obj, 'appleIdentifier', what) ?? '',
    expirationDateTime: requiredDate(obj, 'expirationDateTime', what),
    certificateSerialNumber: optionalString(obj, 'certificateSerialNumber', what) ?? '',
    certificateUploadStatus: optionalString(obj, 'certificateUploadStatus', what),
    certificateUploadFailureReason: optionalString(obj, 'certificateUploadFailureReason', what),
  };
  const modified = optionalDate(obj, 'lastModifiedDateTime', what);
  if (modified !== null) cert.lastModifiedDateTime = modified;
  return cert;
}

export function assessApns(cert: ApnsCertificate, ctx: Pick<KindContext, 'tenantId' | 'now' | 'policy'>): Assessment {
  const { tenantId, now, policy } = ctx;
  const findings = [expiryFinding('The Apple MDM push certificate', cert.expirationDateTime, now, policy, true)];
  const status = cert.certificateUploadStatus?.toLowerCase();
  if (status && UPLOAD_FAILED_STATUSES.has(status)) {
    const reason = cert.certificateUploadFailureReason ? `: ${cert.certificateUploadFailureReason}` : '';
    findings.push({ code: 'upload_failed', severity: 'warning', message: `The last certificate upload failed${reason}.` });
  }
  return finishAssessment(
    {
      key: alertKey(tenantId, 'apns', cert.topicIdentifier),
      tenantId,
      kind: 'apns',
      assetId: cert.topicIdentifier,
      name: NAME,
      appleId: cert.appleIdentifier,
      topic: cert.topicIdentifier,
      serialNumber: cert.certificateSerialNumber,
      expiresAt: cert.expirationDateTime,
      daysRemaining: assessExpiry(cert.expirationDateTime, now, policy).daysRemaining,
      assessedAt: now,
    },
    findings,
  );
}

function notConfigured(ctx: KindContext): Assessment {
  // A deployed monitor implies a certificate should exist: not configured is a warning, never ok.
  return finishAssessment(
    { key: alertKey(ctx.tenantId, 'apns', APNS_NOT_CONFIGURED_ID), tenantId: ctx.tenantId, kind: 'apns', assetId: APNS_NOT_CONFIGURED_ID, name: NAME, assessedAt: ctx.now },
    [
      {
        code: 'not_configured',
        severity: 'warning',
        message: 'No Apple MDM push certificate is configured in Intune: no Apple device can be enrolled or managed.',
        hint: 'If Apple devices are managed in this tenant, check that the monitor reads the right tenant.',
      },
    ],
  );
}

function nextSteps(asset: AlertAsset, findings: readonly Finding[]): string[] {
  if (findings.some((f) => f.code === 'not_configured')) {
    return [
      'Set up the Apple MDM push certificate in the Intune admin center (Devices > Enrollment > Apple > MDM Push Certificate), or point the monitor at the tenant that has it.',
    ];
  }
  const appleId = asset.appleId ?? 'the Apple ID that created it';
  const topic = asset.topic ? ` (topic ${asset.topic})` : '';
  return [
    `Renew in the Apple Push Certificates Portal signed in as ${appleId} — renew the existing certificate${topic}, not a new certificate: a new one forces every device to re-enroll.`,
    'Download the certificate signing request first: GET /api/apns/csr, "apns-monitor csr", or the Intune admin center.',
    'Store the renewed .pem in Key Vault as a new version of the certificate secret: it is checked at once and proposed; approve it on the status page (or "apns-monitor renewals approve").',
  ];
}

/**
 * `GET /v1.0/deviceManagement/applePushNotificationCertificate` (SPEC §2): the entity itself, no
 * `value` wrapper; `id` is not stable, so the asset is keyed on `topicIdentifier`.
 */
export const apnsKind: EntityKind<'apns', ApnsCertificate> = {
  kind: 'apns',
  shape: 'entity',
  short: 'APNs',
  label: 'APNs certificate',
  resource: 'the APNs certificate',
  group: 'apple',
  read: { version: 'v1.0', path: '/deviceManagement/applePushNotificationCertificate', permission: BASE_READ_PERMISSION },
  date: { title: 'Expires' },
  isAbsent: isUnconfiguredApns,
  parse: parseApnsCertificate,
  assess: (cert, ctx) => [assessApns(cert, ctx)],
  absent: (ctx) => [notConfigured(ctx)],
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER, APPLE_PUSH_PORTAL],
};
