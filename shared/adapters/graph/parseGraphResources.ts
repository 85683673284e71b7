import type { AdeToken, ApnsCertificate, EpochMs, UnreadableItem, VppToken } from '../../domain/assets';
import { AppError } from '../../domain/errors';
import { isUnsetGraphDate, parseGraphDateTime } from '../../domain/graphDateTime';

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
  if (isUnsetGraphDate(parsed)) throw malformed(what, `${field} is not set (${shorten(value)})`);
  return parsed;
}

function optionalDate(obj: Json, field: string, what: string): EpochMs | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  const parsed = parseGraphDateTime(value);
  if (parsed !== undefined && isUnsetGraphDate(parsed)) return null;
  return requiredDate(obj, field, what);
}

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

/** The `value` array of a collection, and its `@odata.nextLink` when there are more pages. */
export function parseCollection(body: unknown, what: string): { items: Json[]; nextLink: string | undefined } {
  const obj = asObject(body, what);
  if (!Array.isArray(obj.value)) throw malformed(what, 'value is not a list');
  const next = obj['@odata.nextLink'];
  if (next !== undefined && typeof next !== 'string') throw malformed(what, '@odata.nextLink is not a URL');
  return { items: obj.value.map((item, i) => asObject(item, `${what} (item ${i + 1})`)), nextLink: next };
}

/**
 * Parses each item on its own: one malformed item becomes an UnreadableItem (with its id and name
 * when those are readable) and never hides its siblings.
 */
export function parseItems<T>(items: readonly Json[], parse: (o: Json) => T, labelOf: (o: Json) => unknown): { value: T[]; unreadable: UnreadableItem[] } {
  const value: T[] = [];
  const unreadable: UnreadableItem[] = [];
  for (const item of items) {
    try {
      value.push(parse(item));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const id = typeof item.id === 'string' && item.id.trim() !== '' ? item.id : undefined;
      const label = labelOf(item);
      unreadable.push({ id, label: typeof label === 'string' && label.trim() !== '' ? label : undefined, error });
    }
  }
  return { value, unreadable };
}

export const vppLabel = (o: Json): unknown => o.organizationName || o.appleId;
export const adeLabel = (o: Json): unknown => o.tokenName || o.appleIdentifier;

export function parseVppToken(obj: Json): VppToken {
  const what = `the VPP token${typeof obj.id === 'string' ? ` ${shorten(obj.id)}` : ''}`;
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

/**
 * `downloadApplePushNotificationCertificateSigningRequest` answers `{value: "<csr>"}`: PEM text, or
 * the bare base64 of the request (the reference documents only "String"). Either way the result is the
 * PEM file Apple's portal takes (`-----BEGIN CERTIFICATE REQUEST-----`, 64-column lines).
 */
export function parseCsr(body: unknown): string {
  const what = 'the certificate signing request';
  const obj = asObject(body, what);
  const value = obj.value;
  if (typeof value !== 'string' || value.trim() === '') throw malformed(what, 'value is missing');
  const text = value.trim();
  if (/^-----BEGIN [A-Z ]*CERTIFICATE REQUEST-----/.test(text)) return `${text.replace(/\r\n/g, '\n')}\n`;
  const base64 = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) throw malformed(what, 'value is neither PEM nor base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${base64.match(/.{1,64}/g)?.join('\n') ?? base64}\n-----END CERTIFICATE REQUEST-----\n`;
}
