import type { EpochMs } from './assets';
import { AppError } from './errors';
import { isRecord } from './graphJson';
import { SECRET_NAME, SECRET_VERSION } from './renewal';

/**
 * A Key Vault event as Event Grid delivers it to the `keyVaultSecretVersionCreated` trigger, in the
 * Event Grid schema (`eventType`, `topic`, `data`) or the CloudEvents 1.0 schema (`type`, `source`,
 * `data`, `specversion`). Key Vault's data keys arrive PascalCase (`Id`, `VaultName`, `ObjectType`,
 * `ObjectName`, `Version`, `NBF`, `EXP`) where the SDK models say camelCase, and Microsoft's own
 * example ("Azure Key Vault as Event Grid source", learn.microsoft.com) carries `"ObjectName "` with a
 * trailing space and a version with a leading one: keys are read trimmed and in any case, values trimmed.
 */
export const SECRET_NEW_VERSION_CREATED = 'Microsoft.KeyVault.SecretNewVersionCreated';

export interface KeyVaultEvent {
  /** The Event Grid event id (a retried delivery carries the same). */
  eventId: string;
  schema: 'eventgrid' | 'cloudevents';
  eventType: string;
  /** `topic` (Event Grid) or `source` (CloudEvents): the vault's resource id. */
  source: string | undefined;
  subject: string | undefined;
  vaultName: string | undefined;
  objectType: string | undefined;
  objectName: string | undefined;
  version: string | undefined;
  /** `Id`: the object's URL, `https://<vault>.vault.azure.net/secrets/<name>/<version>`. */
  objectUrl: string | undefined;
  notBefore: EpochMs | undefined;
  expires: EpochMs | undefined;
}

/** The object's own keys, trimmed and lowercased (the first of two that collide wins). */
function folded(value: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const k = key.trim().toLowerCase();
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t.slice(0, 2048);
}

/** `NBF`/`EXP`: seconds since 1970 as a number or a string (the schema page says number, its example a string). */
function seconds(value: unknown): EpochMs | undefined {
  const t = text(value);
  if (t === undefined || !/^\d{1,12}$/.test(t)) return undefined;
  return Number(t) * 1000;
}

/** CloudEvents may carry `data` as a JSON string (Event Grid double-encodes it for some events). */
function dataOf(envelope: Map<string, unknown>): Map<string, unknown> {
  let data = envelope.get('data');
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      data = undefined;
    }
  }
  return isRecord(data) ? folded(data) : new Map();
}

/**
 * One delivered event as a KeyVaultEvent, or `invalid_request` when it is not an Event Grid or
 * CloudEvents event at all. Which events matter is decided afterwards (`secretVersionTarget`).
 */
export function parseKeyVaultEvent(value: unknown): KeyVaultEvent {
  if (!isRecord(value)) throw new AppError('invalid_request', 'The Event Grid event is not a JSON object.');
  const envelope = folded(value);
  const cloud = envelope.has('specversion');
  const eventType = text(cloud ? envelope.get('type') : envelope.get('eventtype'));
  const eventId = text(envelope.get('id'));
  if (eventType === undefined || eventId === undefined) {
    throw new AppError('invalid_request', `The Event Grid event has no ${eventId === undefined ? 'id' : cloud ? 'type' : 'eventType'}: it is not an Event Grid or CloudEvents 1.0 event.`);
  }
  const data = dataOf(envelope);
  return {
    eventId,
    schema: cloud ? 'cloudevents' : 'eventgrid',
    eventType,
    source: text(cloud ? envelope.get('source') : envelope.get('topic')),
    subject: text(envelope.get('subject')),
    vaultName: text(data.get('vaultname')),
    objectType: text(data.get('objecttype')),
    objectName: text(data.get('objectname')) ?? text(envelope.get('subject')),
    version: text(data.get('version')),
    objectUrl: text(data.get('id')),
    notBefore: seconds(data.get('nbf')),
    expires: seconds(data.get('exp')),
  };
}

/** What decides whether a secret's new version is one of the monitor's certificates (from the settings). */
export interface CertificateSecrets {
  /** `APNS_KEY_VAULT_URL`: the only vault whose events count. */
  vaultUrl: string;
  /** `APNS_CERT_SECRET_NAME`. */
  secretName: string;
  /** In a fleet each watched tenant's certificate is `<secretName>-<tenantId>`; otherwise the one tenant's is `secretName`. */
  fleet: boolean;
  tenants: readonly { id: string; name: string }[];
}

export type SecretVersionTarget =
  | { relevant: true; tenant: { id: string; name: string }; secretName: string; version: string }
  | { relevant: false; why: string };

/** A vault's name: the first label of its host (`kv-apns-abc` of `https://kv-apns-abc.vault.azure.net`). */
export function vaultNameOf(vaultUrl: string): string {
  return new URL(vaultUrl).hostname.split('.')[0] ?? '';
}

/**
 * Whether the event is a new version of one of the monitor's certificate secrets in the configured
 * vault, and whose: decided from the event alone, so every other secret is ignored without being
 * read (SPEC §16). Key Vault names are case-insensitive.
 */
export function secretVersionTarget(event: KeyVaultEvent, secrets: CertificateSecrets): SecretVersionTarget {
  const ignore = (why: string): SecretVersionTarget => ({ relevant: false, why });
  if (event.eventType.toLowerCase() !== SECRET_NEW_VERSION_CREATED.toLowerCase()) return ignore(`it is a ${event.eventType.slice(0, 100)} event, not ${SECRET_NEW_VERSION_CREATED}`);
  if (event.objectType !== undefined && event.objectType.toLowerCase() !== 'secret') return ignore(`its object is a ${event.objectType.slice(0, 40)}, not a secret`);
  const vault = new URL(secrets.vaultUrl).hostname.toLowerCase();
  const name = vaultNameOf(secrets.vaultUrl).toLowerCase();
  if (event.vaultName?.toLowerCase() !== name) return ignore(`it comes from the vault ${event.vaultName?.slice(0, 100) ?? '(none named)'}, not ${name} (APNS_KEY_VAULT_URL)`);
  if (event.objectUrl !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(event.objectUrl).hostname.toLowerCase();
    } catch {
      host = undefined;
    }
    if (host !== vault) return ignore(`its object is not in ${vault} (APNS_KEY_VAULT_URL)`);
  }
  const secretName = event.objectName;
  if (secretName === undefined || !SECRET_NAME.test(secretName)) return ignore('it names no valid secret');
  const lower = secretName.toLowerCase();
  const tenant = secrets.fleet
    ? secrets.tenants.find((t) => `${secrets.secretName}-${t.id}`.toLowerCase() === lower)
    : lower === secrets.secretName.toLowerCase()
      ? secrets.tenants[0]
      : undefined;
  if (!tenant) {
    const expected = secrets.fleet ? `${secrets.secretName}-<tenant ID> of a watched tenant` : secrets.secretName;
    return ignore(`the secret ${secretName} is not a certificate secret of the monitor (${expected})`);
  }
  if (event.version === undefined || !SECRET_VERSION.test(event.version)) throw new AppError('invalid_request', `The Key Vault event for ${secretName} carries no valid secret version.`);
  // The configured spelling: the renewal compares it with APNS_CERT_SECRET_NAME as written.
  return { relevant: true, tenant, secretName: secrets.fleet ? `${secrets.secretName}-${tenant.id}` : secrets.secretName, version: event.version };
}
