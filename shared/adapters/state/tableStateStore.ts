import { odata, RestError, TableClient, type TableEntity } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StateConnection } from '../../config/loadConfig';
import { AppError } from '../../domain/errors';
import { parseTenantState, emptyTenantState, type TenantState } from '../../domain/tenantState';
import { isTimeout, requestTimeoutPolicy } from '../http/requestTimeout';
import type { StateStore, VersionedState } from '../../ports/stateStore';

/**
 * Alert state in Azure Table Storage. Layout of the table (one partition per tenant):
 *   PartitionKey = tenantId, RowKey = "state"          → this store (JSON in state0..stateN)
 *   PartitionKey = tenantId, RowKey = "lock:renewal"   → the renewal lock
 *   PartitionKey = tenantId, RowKey = "audit:<…>"      → renewal audit records
 * Saves are conditional on the ETag read, so two overlapping runs never both win.
 */
const ROW_KEY = 'state';
// A string property holds at most 64 KiB (32 K UTF-16 characters); stay well below.
const CHUNK_CHARS = 30_000;
// An entity holds at most 1 MiB; leave room for the other properties.
const MAX_CHUNKS = 30;

export interface TableStoreOptions {
  connection: StateConnection;
  table: string;
  credential?: TokenCredential;
  /** Per-request timeout (`APNS_HTTP_TIMEOUT_SECONDS`); default 30 s. */
  timeoutMs?: number;
}

export function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** A TableClient for the configured connection (shared with the renewal lock and the audit trail). */
export function createTableClient(options: TableStoreOptions): TableClient {
  const { connection, table } = options;
  const timeout = requestTimeoutPolicy(options.timeoutMs ?? 30_000);
  if (connection.kind === 'connectionString') {
    const endpoint = /TableEndpoint=([^;]+)/i.exec(connection.connectionString)?.[1] ?? '';
    const dev = /UseDevelopmentStorage=true/i.test(connection.connectionString);
    // Plain http only for the local emulator (Azurite) on loopback.
    return TableClient.fromConnectionString(connection.connectionString, table, { allowInsecureConnection: dev || isLoopbackHttp(endpoint), additionalPolicies: [timeout] });
  }
  if (!options.credential) throw new AppError('config_invalid', 'A table service URI needs a credential (the managed identity).');
  return new TableClient(connection.url, table, options.credential, { additionalPolicies: [timeout] });
}

export function describeTable(options: TableStoreOptions): string {
  const { connection, table } = options;
  let host = 'the development storage emulator';
  if (connection.kind === 'tableServiceUri') host = new URL(connection.url).host;
  else {
    const endpoint = /TableEndpoint=([^;]+)/i.exec(connection.connectionString)?.[1];
    const account = /AccountName=([^;]+)/i.exec(connection.connectionString)?.[1];
    if (endpoint) host = new URL(endpoint).host;
    else if (account) host = `${account}.table.core.windows.net`;
  }
  return `table "${table}" at ${host}`;
}

/** How to start the local Storage emulator, for a refused connection to a loopback endpoint. */
export const AZURITE_HINT =
  'Nothing answers at the local storage endpoint: start Azurite (the Storage emulator, a devDependency) with "npx azurite --silent --location .azurite", or unset AzureWebJobsStorage / APNS_STATE_CONNECTION so the CLI keeps its state in a file.';

function isLocalEndpoint(where: string): boolean {
  return /development storage emulator|at (127\.0\.0\.1|localhost|\[::1\])(:\d+)?/.test(where);
}

/** Storage failures as AppErrors whose messages hold no connection string, key or SAS. */
export function storageError(error: unknown, where: string, action: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof RestError) {
    const status = error.statusCode;
    // The SDK puts the service's error code in `details.errorCode`, and `code` only sometimes.
    const serviceCode = error.code ?? (error.details as { errorCode?: string } | undefined)?.errorCode;
    if (status === 412 || (status === 409 && serviceCode === 'EntityAlreadyExists')) {
      return new AppError('state_conflict', `The state in ${where} was changed by another run.`);
    }
    if (status === 401 || status === 403) {
      return new AppError('state_unavailable', `Access to ${where} was denied (${status}) while trying to ${action}.`, {
        hint: 'The identity needs "Storage Table Data Contributor" on the storage account (infra/ grants it).',
        cause: error,
      });
    }
    if (isTimeout(error)) return new AppError('state_unavailable', `${where} did not answer within the request timeout while trying to ${action} (timed out).`, { retriable: true, cause: error });
    const local = isLocalEndpoint(where) && (error.code === 'ECONNREFUSED' || error.code === 'REQUEST_SEND_ERROR');
    return new AppError('state_unavailable', `Could not ${action} in ${where} (${status ?? serviceCode ?? 'network error'}).`, {
      retriable: true,
      cause: error,
      ...(local ? { hint: AZURITE_HINT } : {}),
    });
  }
  if (isTimeout(error)) return new AppError('state_unavailable', `${where} did not answer within the request timeout while trying to ${action} (timed out).`, { retriable: true, cause: error });
  return new AppError('state_unavailable', `Could not ${action} in ${where} (${(error as Error)?.name ?? 'error'}).`, { retriable: true, cause: error });
}

/** The table or the entity does not exist (yet): for a read, nothing is stored. */
export function isNotFound(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404;
}

/** Creates the table on first use (once per client; "already exists" is fine), retried after a failure. */
export function tableCreator(client: TableClient, where: string): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= client.createTable().catch((error: unknown) => {
      ready = undefined;
      throw storageError(error, where, 'create the table');
    }));
}

type JsonEntity = Record<string, unknown> & { etag?: string };

/**
 * A JSON document as one entity: split over string properties `state0..stateN`, since a property
 * holds at most 64 KiB. `what` names the document in errors ("monitor state of tenant …").
 */
export function chunkedJsonEntity(partitionKey: string, rowKey: string, value: unknown, what: string, extra: Record<string, unknown> = {}): TableEntity<Record<string, unknown>> {
  const text = JSON.stringify(value);
  const chunks = Math.ceil(text.length / CHUNK_CHARS) || 1;
  if (chunks > MAX_CHUNKS) throw new AppError('state_unavailable', `The ${what} is too large for one table entity (${text.length} characters).`);
  const entity: TableEntity<Record<string, unknown>> = { partitionKey, rowKey, ...extra, updatedAt: new Date().toISOString(), chunks };
  for (let i = 0; i < chunks; i++) entity[`state${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return entity;
}

/** The JSON document of a `chunkedJsonEntity`, or `state_unreadable` (the entity is left as it is). */
export function jsonOfEntity(entity: JsonEntity, what: string, where: string): unknown {
  const chunks = Number(entity.chunks);
  let text = '';
  for (let i = 0; i < chunks; i++) {
    const part = entity[`state${i}`];
    if (typeof part !== 'string') throw new AppError('state_unreadable', `The ${what} in ${where} is unreadable: part ${i} of ${chunks} is missing. It was left as it is; fix or delete the entity.`);
    text += part;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('state_unreadable', `The ${what} in ${where} is unreadable: it is not valid JSON. It was left as it is; fix or delete the entity.`);
  }
}

/** A state entity as a TenantState, or `state_unreadable`. */
function versionedOf(entity: JsonEntity, where: string): VersionedState {
  return { state: parseTenantState(jsonOfEntity(entity, 'monitor state', where), where), version: entity.etag ?? null };
}

/** Writes `entity`: created when `expectedVersion` is null, else replaced if its ETag is still that one. */
export async function saveEntity(client: TableClient, entity: TableEntity<Record<string, unknown>>, expectedVersion: string | null, where: string, action: string): Promise<string> {
  try {
    const response = expectedVersion === null ? await client.createEntity(entity) : await client.updateEntity(entity, 'Replace', { etag: expectedVersion });
    if (!response.etag) throw new AppError('state_unavailable', `${where} answered without an ETag.`);
    return response.etag;
  } catch (error) {
    throw storageError(error, where, action);
  }
}

export function createTableStateStore(options: TableStoreOptions): StateStore {
  const client = createTableClient(options);
  const location = describeTable(options);
  const ensureTable = tableCreator(client, location);

  return {
    location,

    async load(tenantId: string): Promise<VersionedState> {
      await ensureTable();
      let entity: JsonEntity;
      try {
        entity = await client.getEntity<Record<string, unknown>>(tenantId, ROW_KEY);
      } catch (error) {
        if (isNotFound(error)) return { state: emptyTenantState(tenantId), version: null };
        throw storageError(error, location, 'read the state');
      }
      return versionedOf(entity, `${location} (tenant ${tenantId})`);
    },

    async loadAll(): Promise<VersionedState[]> {
      // One query for the fleet: the "state" row of every partition (pages of up to 1,000 entities),
      // instead of one request per tenant. A read needs no table: none yet means no state yet.
      const out: VersionedState[] = [];
      try {
        for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`RowKey eq ${ROW_KEY}` } })) {
          out.push(versionedOf(entity, `${location} (tenant ${entity.partitionKey})`));
        }
      } catch (error) {
        if (isNotFound(error)) return [];
        throw storageError(error, location, 'read the state');
      }
      return out;
    },

    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      await ensureTable();
      const entity = chunkedJsonEntity(state.tenantId, ROW_KEY, state, `monitor state of tenant ${state.tenantId}`, { schema: state.schema });
      return saveEntity(client, entity, expectedVersion, location, 'save the state');
    },

    // Every save went straight to the table.
    close: async () => undefined,
  };
}
