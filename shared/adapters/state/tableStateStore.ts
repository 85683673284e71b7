import { RestError, TableClient, type TableEntity } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StateConnection } from '../../config/loadConfig';
import { AppError } from '../../domain/errors';
import { parseTenantState, emptyTenantState, type TenantState } from '../../domain/tenantState';
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
  if (connection.kind === 'connectionString') {
    const endpoint = /TableEndpoint=([^;]+)/i.exec(connection.connectionString)?.[1] ?? '';
    const dev = /UseDevelopmentStorage=true/i.test(connection.connectionString);
    // Plain http only for the local emulator (Azurite) on loopback.
    return TableClient.fromConnectionString(connection.connectionString, table, { allowInsecureConnection: dev || isLoopbackHttp(endpoint) });
  }
  if (!options.credential) throw new AppError('config_invalid', 'A table service URI needs a credential (the managed identity).');
  return new TableClient(connection.url, table, options.credential);
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

/** Storage failures as AppErrors whose messages hold no connection string, key or SAS. */
export function storageError(error: unknown, where: string, action: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof RestError) {
    const status = error.statusCode;
    if (status === 412 || (status === 409 && error.code === 'EntityAlreadyExists')) {
      return new AppError('state_conflict', `The state in ${where} was changed by another run.`);
    }
    if (status === 401 || status === 403) {
      return new AppError('state_unavailable', `Access to ${where} was denied (${status}) while trying to ${action}.`, {
        hint: 'The identity needs "Storage Table Data Contributor" on the storage account (infra/ grants it).',
        cause: error,
      });
    }
    return new AppError('state_unavailable', `Could not ${action} in ${where} (${status ?? error.code ?? 'network error'}).`, {
      retriable: true,
      cause: error,
    });
  }
  return new AppError('state_unavailable', `Could not ${action} in ${where} (${(error as Error)?.name ?? 'error'}).`, { retriable: true, cause: error });
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

export function createTableStateStore(options: TableStoreOptions): StateStore {
  const client = createTableClient(options);
  const location = describeTable(options);
  const ensureTable = tableCreator(client, location);

  return {
    location,

    async load(tenantId: string): Promise<VersionedState> {
      await ensureTable();
      let entity: Record<string, unknown> & { etag?: string };
      try {
        entity = await client.getEntity<Record<string, unknown>>(tenantId, ROW_KEY);
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return { state: emptyTenantState(tenantId), version: null };
        throw storageError(error, location, 'read the state');
      }
      const where = `${location} (tenant ${tenantId})`;
      const chunks = Number(entity.chunks);
      let text = '';
      for (let i = 0; i < chunks; i++) {
        const part = entity[`state${i}`];
        if (typeof part !== 'string') throw new AppError('state_unreadable', `The monitor state in ${where} is unreadable: part ${i} of ${chunks} is missing. It was left as it is; fix or delete the entity.`);
        text += part;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AppError('state_unreadable', `The monitor state in ${where} is unreadable: it is not valid JSON. It was left as it is; fix or delete the entity.`);
      }
      return { state: parseTenantState(json, where), version: entity.etag ?? null };
    },

    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      await ensureTable();
      const text = JSON.stringify(state);
      const chunks = Math.ceil(text.length / CHUNK_CHARS) || 1;
      if (chunks > MAX_CHUNKS) {
        throw new AppError('state_unavailable', `The monitor state of tenant ${state.tenantId} is too large for one table entity (${text.length} characters).`);
      }
      const entity: TableEntity<Record<string, unknown>> = {
        partitionKey: state.tenantId,
        rowKey: ROW_KEY,
        schema: state.schema,
        updatedAt: new Date().toISOString(),
        chunks,
      };
      for (let i = 0; i < chunks; i++) entity[`state${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
      try {
        const response =
          expectedVersion === null
            ? await client.createEntity(entity)
            : await client.updateEntity(entity, 'Replace', { etag: expectedVersion });
        if (!response.etag) throw new AppError('state_unavailable', `${location} answered without an ETag.`);
        return response.etag;
      } catch (error) {
        throw storageError(error, location, 'save the state');
      }
    },
  };
}
