import type { EpochMs } from './assets';
import type { ApnsCertificate } from './snapshot';
import { AppError, type ErrorCode } from './errors';
import { formatUtc } from './graphDateTime';

/** What the renewal needs to know of a certificate (parsed by an adapter from the Key Vault value). */
export interface CandidateCertificate {
  /** Subject UID (OID 0.9.2342.19200300.100.1.1): the APNs topic. */
  subjectUid: string | undefined;
  subject: string;
  /** Uppercase hex without leading zeros, as Intune reports `certificateSerialNumber`. */
  serialNumber: string;
  notBefore: EpochMs;
  notAfter: EpochMs;
  /** The certificate alone, PEM; never a private key. */
  pem: string;
}

export interface RenewalRequest {
  /** In a fleet: which tenant's certificate (required when several are watched). */
  tenantId?: string;
  secretName?: string;
  secretVersion?: string;
  /** Optional: a caller may pass the Apple ID only to confirm it. */
  appleIdentifier?: string;
  dryRun?: boolean;
  allowNewTopic?: boolean;
}

/** One line of "what was checked", shown by the CLI and returned by the HTTP API. */
export interface CheckLine {
  step: number;
  check: string;
  ok: boolean;
  detail: string;
}

export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
export const SECRET_VERSION = /^[0-9a-zA-Z]{1,64}$/;
const APNS_TOPIC_PREFIX = 'com.apple.mgmt.';
const ALLOWED_FIELDS = new Set(['tenantId', 'secretName', 'secretVersion', 'appleIdentifier', 'dryRun', 'allowNewTopic']);
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Step 1: the request is an object of the documented shape; unknown fields are refused. */
export function parseRenewalRequest(value: unknown): RenewalRequest {
  const refuse = (why: string): never => {
    throw new AppError('invalid_request', `The renewal request is invalid: ${why}.`);
  };
  // An empty or null body must never mean "renew with the defaults": the caller says what it wants.
  if (value === undefined || value === null) return refuse('the body must be a JSON object, e.g. {"dryRun": true}');
  if (typeof value !== 'object' || Array.isArray(value)) return refuse('the body must be a JSON object');
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !ALLOWED_FIELDS.has(k));
  if (unknown.length > 0) refuse(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')} (allowed: ${[...ALLOWED_FIELDS].join(', ')})`);
  const out: RenewalRequest = {};
  if (body.tenantId !== undefined) {
    if (typeof body.tenantId !== 'string' || !TENANT_ID.test(body.tenantId)) refuse('tenantId must be a tenant ID (letters, digits, ".", "_", "-")');
    out.tenantId = body.tenantId as string;
  }
  if (body.secretName !== undefined) {
    if (typeof body.secretName !== 'string' || !SECRET_NAME.test(body.secretName)) refuse('secretName must match ^[0-9a-zA-Z-]{1,127}$');
    out.secretName = body.secretName as string;
  }
  if (body.secretVersion !== undefined) {
    if (typeof body.secretVersion !== 'string' || !SECRET_VERSION.test(body.secretVersion)) refuse('secretVersion must be a Key Vault secret version (letters and digits)');
    out.secretVersion = body.secretVersion as string;
  }
  if (body.appleIdentifier !== undefined) {
    if (typeof body.appleIdentifier !== 'string' || body.appleIdentifier.length === 0 || body.appleIdentifier.length > 320) refuse('appleIdentifier must be the Apple ID (an e-mail address)');
    out.appleIdentifier = body.appleIdentifier as string;
  }
  for (const flag of ['dryRun', 'allowNewTopic'] as const) {
    if (body[flag] === undefined) continue;
    if (typeof body[flag] !== 'boolean') refuse(`${flag} must be true or false`);
    out[flag] = body[flag] as boolean;
  }
  return out;
}

const day = (ms: EpochMs) => formatUtc(ms).slice(0, 10);

function refusal(code: ErrorCode, message: string, hint?: string): AppError {
  return new AppError(code, message, hint ? { hint } : {});
}

/** Steps 4–5: the value is an APNs certificate and valid now. Pure; no Intune needed. */
export function checkCandidate(candidate: CandidateCertificate, now: EpochMs, lines: CheckLine[]): void {
  const uid = candidate.subjectUid;
  if (!uid || !uid.startsWith(APNS_TOPIC_PREFIX)) {
    lines.push({ step: 4, check: 'APNs certificate', ok: false, detail: `subject UID is ${uid ? `"${uid.slice(0, 80)}"` : 'missing'}` });
    throw refusal('not_an_apns_certificate', `The certificate is not an Apple MDM push certificate: its subject UID ${uid ? `"${uid.slice(0, 80)}" does not start with ${APNS_TOPIC_PREFIX}` : 'is missing'}.`, 'Store the .pem that the Apple Push Certificates Portal gives back.');
  }
  lines.push({ step: 4, check: 'APNs certificate', ok: true, detail: `topic ${uid}` });
  if (now > candidate.notAfter) {
    lines.push({ step: 5, check: 'valid now', ok: false, detail: `expired ${day(candidate.notAfter)}` });
    throw refusal('certificate_expired', `The certificate expired on ${formatUtc(candidate.notAfter)}: it is not the renewed one.`, 'Download the renewed certificate from the Apple Push Certificates Portal again.');
  }
  if (now < candidate.notBefore) {
    lines.push({ step: 5, check: 'valid now', ok: false, detail: `valid from ${formatUtc(candidate.notBefore)}` });
    throw refusal('certificate_not_yet_valid', `The certificate is not valid before ${formatUtc(candidate.notBefore)}.`, 'Check the clock, or wait until it becomes valid.');
  }
  lines.push({ step: 5, check: 'valid now', ok: true, detail: `${day(candidate.notBefore)} .. ${day(candidate.notAfter)}` });
}

export type RenewalDecision = 'upload' | 'already_current';

/**
 * Steps 6–9 against what Intune has now: same topic (unless a new topic is explicitly allowed),
 * the Apple ID confirmed, not the same certificate, and a later expiry. Pure.
 */
export function checkAgainstIntune(
  candidate: CandidateCertificate,
  current: ApnsCertificate | null,
  request: RenewalRequest,
  lines: CheckLine[],
): RenewalDecision {
  const topic = candidate.subjectUid ?? '';
  if (!current) {
    if (!request.allowNewTopic) {
      lines.push({ step: 6, check: 'same topic', ok: false, detail: 'Intune has no APNs certificate' });
      throw refusal('topic_mismatch', 'Intune has no Apple MDM push certificate to renew, so this would be a new one.', 'Set it up once in the Intune admin center, or pass allowNewTopic: true to upload it as a new certificate.');
    }
    lines.push({ step: 6, check: 'same topic', ok: true, detail: `new topic ${topic} allowed (Intune has none)` });
  } else if (current.topicIdentifier !== topic) {
    if (!request.allowNewTopic) {
      lines.push({ step: 6, check: 'same topic', ok: false, detail: `${topic} ≠ Intune's ${current.topicIdentifier}` });
      throw refusal(
        'topic_mismatch',
        `The certificate's topic ${topic} differs from Intune's ${current.topicIdentifier}: this is a new certificate, not a renewal. Uploading it would force every device to re-enroll.`,
        `Renew the certificate with topic ${current.topicIdentifier} in the Apple Push Certificates Portal signed in as ${current.appleIdentifier}.`,
      );
    }
    lines.push({ step: 6, check: 'same topic', ok: true, detail: `NEW topic ${topic} allowed (was ${current.topicIdentifier}): devices enrolled under the old topic will need re-enrollment` });
  } else {
    lines.push({ step: 6, check: 'same topic', ok: true, detail: topic });
  }

  // Intune's Apple ID is nullable (v1.0 CSDL): when it has none, the caller's confirms it.
  const appleId = current?.appleIdentifier || request.appleIdentifier;
  if (!appleId) {
    lines.push({ step: 7, check: 'Apple ID', ok: false, detail: 'unknown' });
    throw refusal('apple_id_mismatch', 'Intune has no Apple ID on record; pass appleIdentifier with the Apple ID that created the certificate.');
  }
  if (request.appleIdentifier !== undefined && current?.appleIdentifier && request.appleIdentifier.toLowerCase() !== current.appleIdentifier.toLowerCase()) {
    lines.push({ step: 7, check: 'Apple ID', ok: false, detail: `${request.appleIdentifier} ≠ Intune's ${current.appleIdentifier}` });
    throw refusal('apple_id_mismatch', `The Apple ID ${request.appleIdentifier} differs from Intune's ${current.appleIdentifier}. A renewal must be made with the Apple ID that created the certificate.`);
  }
  lines.push({ step: 7, check: 'Apple ID', ok: true, detail: appleId });

  if (current && current.certificateSerialNumber.toUpperCase() === candidate.serialNumber) {
    lines.push({ step: 8, check: 'not already uploaded', ok: true, detail: `serial ${candidate.serialNumber} is already Intune's certificate` });
    return 'already_current';
  }
  lines.push({ step: 8, check: 'not already uploaded', ok: true, detail: `serial ${candidate.serialNumber}${current ? ` (Intune has ${current.certificateSerialNumber})` : ''}` });

  if (current && candidate.notAfter <= current.expirationDateTime) {
    lines.push({ step: 9, check: 'newer', ok: false, detail: `expires ${day(candidate.notAfter)}, Intune's ${day(current.expirationDateTime)}` });
    throw refusal('not_newer', `The certificate expires ${formatUtc(candidate.notAfter)}, not later than Intune's current one (${formatUtc(current.expirationDateTime)}): it is not a renewal.`, 'Download the renewed certificate from the Apple portal (it is valid for a year from the renewal).');
  }
  lines.push({ step: 9, check: 'newer', ok: true, detail: current ? `${day(current.expirationDateTime)} → ${day(candidate.notAfter)}` : `expires ${day(candidate.notAfter)}` });
  return 'upload';
}

/** Step 13: after the PATCH, Intune must show the uploaded serial and expiry. */
export function verifyUpload(candidate: CandidateCertificate, after: ApnsCertificate | null, lines: CheckLine[]): void {
  const sameSerial = after?.certificateSerialNumber.toUpperCase() === candidate.serialNumber;
  // Intune reports the expiry to the second; the certificate's notAfter is whole seconds too.
  const sameExpiry = after !== null && Math.abs(after.expirationDateTime - candidate.notAfter) < 1000;
  if (!after || !sameSerial || !sameExpiry) {
    const seen = after ? `serial ${after.certificateSerialNumber}, expiry ${formatUtc(after.expirationDateTime)}` : 'no certificate';
    lines.push({ step: 13, check: 'verified in Intune', ok: false, detail: `Intune shows ${seen}` });
    throw new AppError('verification_failed', `Intune accepted the upload but still shows ${seen}, not serial ${candidate.serialNumber} expiring ${formatUtc(candidate.notAfter)}.`, {
      hint: 'Check the certificate in the Intune admin center now; if it is unchanged, upload the renewed .pem there by hand with the same Apple ID.',
    });
  }
  lines.push({ step: 13, check: 'verified in Intune', ok: true, detail: `serial ${after.certificateSerialNumber}, expires ${formatUtc(after.expirationDateTime)}` });
}
