import type { AdeToken, ApnsCertificate, EpochMs, VppToken } from '../../domain/assets';
import { AppError } from '../../domain/errors';
import { parseGraphDateTime } from '../../domain/graphDateTime';

/**
 * Turns Graph JSON into domain types or throws `graph_malformed_response` naming the resource and
 * the field. Never echoes a whole body (it could be large or hold data nobody asked to log).
 */
type Json = Record<string, unknown>;

const shorten = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

function malformed(what: string, why: string): AppError {
  return new AppError('graph_malformed_response', `Graph's answer for ${what} could not be read: ${why}.`, {
    hint: 'This is unexpected from Microsoft Graph; if it persists, check for a Graph service incident.',
  });
}

function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(what, 'it is not a JSON object');
  return value as Json;
}

function requiredString(obj: Json, field: string, what: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.trim() === '') throw malformed(what, `${field} is missing`);
  return value;
}

function optionalString(obj: Json, field: string, what: string): string | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw malformed(what, `${field} is not text`);
  return value;
}

function requiredDate(obj: Json, field: string, what: string): EpochMs {
  const value = obj[field];
  const parsed = parseGraphDateTime(value);
  if (parsed === undefined) {
    throw malformed(what, value === undefined || value === null ? `${field} is missing` : `${field} "${shorten(value)}" is not a date-time`);
  }
  return parsed;
}

function optionalDate(obj: Json, field: string, what: string): EpochMs | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  return requiredDate(obj, field, what);
}

export function parseApnsCertificate(body: unknown): ApnsCertificate {
  const what = 'the APNs certificate';
  const obj = asObject(body, what);
  const cert: ApnsCertificate = {
    topicIdentifier: requiredString(obj, 'topicIdentifier', what),
    appleIdentifier: requiredString(obj, 'appleIdentifier', what),
    expirationDateTime: requiredDate(obj, 'expirationDateTime', what),
    certificateSerialNumber: optionalString(obj, 'certificateSerialNumber', what) ?? '',
    certificateUploadStatus: optionalString(obj, 'certificateUploadStatus', what),
    certificateUploadFailureReason: optionalString(obj, 'certificateUploadFailureReason', what),
  };
  const modified = optionalDate(obj, 'lastModifiedDateTime', what);
  if (modified !== null) cert.lastModifiedDateTime = modified;
  return cert;
}

/** The `value` array of a collection, and its `@odata.nextLink` when there are more pages. */
export function parseCollection(body: unknown, what: string): { items: Json[]; nextLink: string | undefined } {
  const obj = asObject(body, what);
  if (!Array.isArray(obj.value)) throw malformed(what, 'value is not a list');
  const next = obj['@odata.nextLink'];
  if (next !== undefined && typeof next !== 'string') throw malformed(what, '@odata.nextLink is not a URL');
  return { items: obj.value.map((item, i) => asObject(item, `${what} (item ${i + 1})`)), nextLink: next };
}

export function parseVppToken(obj: Json): VppToken {
  const what = 'a VPP token';
  return {
    id: requiredString(obj, 'id', what),
    appleId: optionalString(obj, 'appleId', what) ?? '',
    organizationName: optionalString(obj, 'organizationName', what) ?? '',
    displayName: optionalString(obj, 'displayName', what),
    expirationDateTime: requiredDate(obj, 'expirationDateTime', what),
    state: optionalString(obj, 'state', what) ?? 'unknown',
    lastSyncStatus: optionalString(obj, 'lastSyncStatus', what),
    lastSyncDateTime: optionalDate(obj, 'lastSyncDateTime', what),
  };
}

export function parseAdeToken(obj: Json): AdeToken {
  const what = 'an ADE token';
  return {
    id: requiredString(obj, 'id', what),
    appleIdentifier: optionalString(obj, 'appleIdentifier', what) ?? '',
    tokenName: optionalString(obj, 'tokenName', what),
    tokenExpirationDateTime: requiredDate(obj, 'tokenExpirationDateTime', what),
    lastSuccessfulSyncDateTime: optionalDate(obj, 'lastSuccessfulSyncDateTime', what),
  };
}

/** `downloadApplePushNotificationCertificateSigningRequest` answers `{value: "<csr>"}`. */
export function parseCsr(body: unknown): string {
  const obj = asObject(body, 'the certificate signing request');
  const value = obj.value;
  if (typeof value !== 'string' || value.trim() === '') throw malformed('the certificate signing request', 'value is missing');
  return value;
}
