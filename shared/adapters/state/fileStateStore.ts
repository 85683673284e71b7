import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, win32 } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors';
import { emptyTenantState, parseTenantState, type TenantState } from '../../domain/tenantState';
import type { StateStore, VersionedState } from '../../ports/stateStore';
import { tryAcquireFileLock, type FileLock } from './fileLock';

/**
 * Alert state for the CLI in one JSON file:
 *   {"format":"intune-apns-monitor/state","version":<n>,"tenants":{"<tenantId>": TenantState}}
 * `version` is the optimistic-concurrency token. A save takes a short lock file, re-reads, compares,
 * writes a temp file in the same directory, fsyncs and renames it over the target: a reader sees the
 * old file or the new one, never half of one. A file it cannot read is reported and never replaced.
 */
const FORMAT = 'intune-apns-monitor/state';
const LOCK_STALE_MS = 30_000; // a save takes milliseconds; a holder on another host is trusted this long
const LOCK_WAIT_MS = 10_000;

interface StateFile {
  format: typeof FORMAT;
  version: number;
  tenants: Record<string, TenantState>;
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

function unreadable(path: string, why: string): AppError {
  return new AppError('state_unreadable', `The state file ${path} is unreadable: ${why}. It was left untouched; fix it, move it away, or pass another --state-file.`);
}

/** Reads the whole file; undefined when it does not exist yet. */
function readStateFile(path: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw unreadable(path, 'it is a directory');
    if (code === 'EACCES' || code === 'EPERM') throw unreadable(path, 'permission denied');
    throw unreadable(path, code ?? 'read error');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unreadable(path, 'it is not valid JSON (cut short or edited?)');
  }
  const file = json as Partial<StateFile> | null;
  if (!file || typeof file !== 'object' || file.format !== FORMAT) throw unreadable(path, 'it is not an apns-monitor state file');
  if (typeof file.version !== 'number' || !Number.isInteger(file.version)) throw unreadable(path, 'its version is missing');
  if (!file.tenants || typeof file.tenants !== 'object' || Array.isArray(file.tenants)) throw unreadable(path, 'its tenants are missing');
  for (const [tenantId, state] of Object.entries(file.tenants)) parseTenantState(state, `${path} (tenant ${tenantId})`);
  return file as StateFile;
}

/**
 * Takes `<path>.lock` (exclusive, see fileLock.ts) around a read-compare-write. A lock left by a
 * killed process is taken over at once; one whose holder still runs is waited for, then a conflict.
 */
async function withLock<T>(path: string, fn: () => T): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let lock: FileLock | undefined;
  while (!lock) {
    let result;
    try {
      result = tryAcquireFileLock(lockPath, { owner: 'state-save', ttlMs: LOCK_STALE_MS });
    } catch (error) {
      throw new AppError('state_unavailable', `Cannot lock the state file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
    if (result.ok) lock = result.lock;
    else if (Date.now() > deadline) throw new AppError('state_conflict', `The state file ${path} stayed locked by another run (${lockPath}).`);
    else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
  try {
    return fn();
  } finally {
    lock.release();
  }
}

export function createFileStateStore(path: string): StateStore {
  return {
    location: path,

    async load(tenantId: string): Promise<VersionedState> {
      const file = readStateFile(path);
      const state = file?.tenants[tenantId];
      if (!file || !state) return { state: emptyTenantState(tenantId), version: file ? String(file.version) : null };
      return { state, version: String(file.version) };
    },

    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      return withLock(path, () => {
        const current = readStateFile(path); // throws (and so never overwrites) when unreadable
        const currentVersion = current ? String(current.version) : null;
        if (currentVersion !== expectedVersion) throw new AppError('state_conflict', `The state file ${path} was changed by another run.`);
        const next: StateFile = { format: FORMAT, version: (current?.version ?? 0) + 1, tenants: { ...(current?.tenants ?? {}), [state.tenantId]: state } };
        const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
        const fd = openSync(temp, 'wx', 0o600);
        try {
          writeSync(fd, `${JSON.stringify(next, null, 2)}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        try {
          renameSync(temp, path);
        } catch (error) {
          rmSync(temp, { force: true });
          throw new AppError('state_unavailable', `Cannot write the state file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
        }
        return String(next.version);
      });
    },
  };
}
