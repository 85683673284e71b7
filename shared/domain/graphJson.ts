import type { EpochMs, UnreadableItem } from './assets';
import { AppError } from './errors';
import { isUnsetGraphDate, parseGraphDateTime } from './graphDateTime';

/**
 * Turns Graph JSON into domain types or throws `graph_malformed_response` naming the resource and
 * the field. Pure (no IO): each kind's parser in `kinds/` is built from these. Never echoes a whole
 * body (it could be large or hold data nobody asked to log).
 */
export type Json = Record<string, unknown>;

export const shorten = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** How a parser names one item of a collection in its errors: "the VPP token 3f2a…", or without an id. */
export function itemWhat(noun: string, obj: Json): string {
  return `the ${noun}${typeof obj.id === 'string' ? ` ${shorten(obj.id)}` : ''}`;
}

export function malformed(what: string, why: string): AppError {
  return new AppError('graph_malformed_response', `Graph's answer for ${what} could not be read: ${why}.`, {
    hint: 'This is unexpected from Microsoft Graph; if it persists, check for a Graph service incident.',
  });
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): Json {
  if (!isRecord(value)) throw malformed(what, 'it is not a JSON object');
  return value;
}

export function requiredString(obj: Json, field: string, what: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.trim() === '') throw malformed(what, `${field} is missing`);
  return value;
}

export function optionalString(obj: Json, field: string, what: string): string | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw malformed(what, `${field} is not text`);
  return value;
}

export function optionalNumber(obj: Json, field: string, what: string): number | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(what, `${field} is not a number`);
  return value;
}

export function optionalBoolean(obj: Json, field: string, what: string): boolean | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw malformed(what, `${field} is not true or false`);
  return value;
}

export function requiredDate(obj: Json, field: string, what: string): EpochMs {
  const value = obj[field];
  const parsed = parseGraphDateTime(value);
  if (parsed === undefined) {
    throw malformed(what, value === undefined || value === null ? `${field} is missing` : `${field} "${shorten(value)}" is not a date-time`);
  }
  if (isUnsetGraphDate(parsed)) throw malformed(what, `${field} is not set (${shorten(value)})`);
  return parsed;
}

/** A date that may be absent: null for missing, JSON null and `0001-01-01` (Graph's "never"). */
export function optionalDate(obj: Json, field: string, what: string): EpochMs | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  const parsed = parseGraphDateTime(value);
  if (parsed !== undefined && isUnsetGraphDate(parsed)) return null;
  return requiredDate(obj, field, what);
}

/**
 * The list of a collection (`value`, or another list property of an entity such as
 * `deviceManagement.connectorStatus`), and its `@odata.nextLink` when there are more pages. A
 * null list property reads as empty (OData's "no items" for a `$select`ed collection property).
 */
export function parseCollection(body: unknown, what: string, property = 'value'): { items: Json[]; nextLink: string | undefined } {
  const obj = asObject(body, what);
  const list = obj[property];
  if (property !== 'value' && (list === null || list === undefined)) return { items: [], nextLink: undefined };
  if (!Array.isArray(list)) throw malformed(what, `${property} is not a list`);
  const next = obj['@odata.nextLink'];
  if (next !== undefined && typeof next !== 'string') throw malformed(what, '@odata.nextLink is not a URL');
  return { items: list.map((item, i) => asObject(item, `${what} (item ${i + 1})`)), nextLink: next };
}

/** An item's own id, when it has one (its alert key). */
export function idOf(obj: Json): string | undefined {
  return typeof obj.id === 'string' && obj.id.trim() !== '' ? obj.id : undefined;
}

/**
 * Parses each item on its own: one malformed item becomes an UnreadableItem (with its id and name
 * when those are readable) and never hides its siblings.
 */
export function parseItems<T>(
  items: readonly Json[],
  parse: (o: Json) => T,
  labelOf: (o: Json) => unknown,
  itemId: (o: Json) => string | undefined = idOf,
): { value: T[]; unreadable: UnreadableItem[] } {
  const value: T[] = [];
  const unreadable: UnreadableItem[] = [];
  for (const item of items) {
    try {
      value.push(parse(item));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const label = labelOf(item);
      unreadable.push({ id: itemId(item), label: typeof label === 'string' && label.trim() !== '' ? label : undefined, error });
    }
  }
  return { value, unreadable };
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

/** A customer tenant the partner holds a GDAP relationship with (`delegatedAdminCustomer`, v1.0). */
export interface GdapCustomer {
  /** The customer's Entra tenant id. */
  tenantId: string;
  /** Its Entra display name; null when Graph gives none. */
  displayName: string | null;
}

const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One `delegatedAdminCustomer` (the v1.0 CSDL: `tenantId` Edm.String not nullable, `displayName`
 * Edm.String; `id` from graph.entity, the same GUID in Microsoft's examples): its tenant id must be a
 * tenant's GUID, since it becomes an alert key and a sign-in authority.
 */
export function parseGdapCustomer(obj: Json, what: string): GdapCustomer {
  const tenantId = requiredString(obj, 'tenantId', what);
  if (!TENANT_GUID.test(tenantId)) throw malformed(what, `tenantId "${shorten(tenantId)}" is not a tenant ID`);
  return { tenantId: tenantId.toLowerCase(), displayName: optionalString(obj, 'displayName', what) };
}
