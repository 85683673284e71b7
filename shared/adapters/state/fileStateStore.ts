import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { AppError } from '../../domain/errors';
import { parseRenewalProposal } from '../../domain/renewalProposal';
import { emptyTenantState, parseTenantState, type TenantState } from '../../domain/tenantState';
import { parseRegistry } from '../../domain/tenantRegistry';
import type { StateStore, VersionedState } from '../../ports/stateStore';
import { createFileRecordStore, type FileRecord, type FileRecordStore, type RecordValidator } from './fileRecordStore';
import { REGISTRY_ROW } from './registryKeys';

/**
 * Alert state for the CLI: one record per tenant (row "state") in the file record store (a snapshot
 * and a journal, see fileRecordStore.ts). The files are read once per store, i.e. once per run; a save
 * appends the tenant's record. A file it cannot read is reported and never written over.
 */
const ROW = 'state';

/**
 * Every kind of record the state file holds, checked as it is read: the tenants' state, the fleet's
 * registry and the renewal proposals (SPEC §16).
 */
export const STATE_FILE_RECORDS: Readonly<Record<string, RecordValidator>> = {
  [ROW]: (value, where) => void parseTenantState(value, where),
  [REGISTRY_ROW]: (value, where) => void parseRegistry(value, where),
  proposal: (value, where) => void parseRenewalProposal(value, where),
};

/**
 * The state file's records, read once: shared by the stores one run or one request reads together
 * (the state and the registry of a run; the state, the registry and the proposals of a status view).
 */
export function openStateFile(path: string): FileRecordStore {
  return createFileRecordStore(path, STATE_FILE_RECORDS);
}

export function defaultStateFilePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    return win32.join(base, 'apns-monitor', 'state.json');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'apns-monitor', 'state.json');
  const base = env.XDG_STATE_HOME || join(home, '.local', 'state');
  return join(base, 'apns-monitor', 'state.json');
}

function versioned(tenantId: string, record: FileRecord | undefined): VersionedState {
  // A copy: the caller changes what it loaded, the store keeps what was saved.
  if (!record) return { state: emptyTenantState(tenantId), version: null };
  return { state: structuredClone(record.value) as TenantState, version: String(record.version) };
}

export function createFileStateStore(file: string | FileRecordStore): StateStore {
  const records = typeof file === 'string' ? openStateFile(file) : file;
  const path = records.path;
  return {
    location: path,

    async load(tenantId: string): Promise<VersionedState> {
      return versioned(tenantId, await records.get(tenantId, ROW));
    },

    async loadAll(): Promise<VersionedState[]> {
      return [...(await records.list(ROW))].map(([tenantId, record]) => versioned(tenantId, record));
    },

    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      const expected = expectedVersion === null ? null : Number(expectedVersion);
      if (expected !== null && !Number.isInteger(expected)) throw new AppError('state_conflict', `The state file ${path} was changed by another run.`);
      return String(await records.put(state.tenantId, ROW, state, expected));
    },

    close: () => records.compact(),
  };
}
