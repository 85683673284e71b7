import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * An exclusive lock file for the CLI (the state file's save lock and the renewal lock), with no
 * window in which two processes both hold it:
 * - the lock file appears with its content already in it (written to a temp file, then `link`ed
 *   into place, which fails with EEXIST when it exists: O_EXCL semantics without an empty-file
 *   window in which a reader could mistake a fresh lock for a broken one);
 * - a lock is taken over only when its lease expired, or when its holder is provably gone (same
 *   host and its pid no longer runs: a SIGKILLed run costs the next one nothing) and its lease was
 *   not made to outlive it; the takeover itself is serialised by a second exclusive file, so two
 *   contenders never both take over;
 * - `extend` is a fence: it fails when the lock is no longer this holder's. With `outlivesHolder`
 *   the lease binds past the holder's process: something it started (an upload) may still land
 *   after it exits or is killed, so only the lease's end frees the lock.
 * Self-contained (node built-ins only), so tests can run it in worker threads as it is.
 */
export interface LockInfo {
  owner: string;
  pid: number;
  host: string;
  nonce: string;
  /** Epoch ms; 0 = no lease (held until released or the holder dies). */
  expiresAt: number;
  since: string;
  /** The lease holds until `expiresAt` even when the holder's process is gone (see `extend`). */
  outlivesHolder?: boolean;
}

export interface FileLock {
  readonly info: LockInfo;
  /**
   * The fence: still ours? Then push the lease to now + ttlMs (and, with `outlivesHolder`, make it
   * bind past this process). Returns the lease's new end (epoch ms). Throws LockLostError otherwise.
   */
  extend(ttlMs: number, options?: { outlivesHolder?: boolean }): number;
  /** Removes the lock if it is still ours (a taken-over lock is left to its new holder). */
  release(): void;
}

export class LockLostError extends Error {
  constructor(readonly path: string, readonly holder: LockInfo | undefined) {
    super(`the lock ${path} is no longer held by this run`);
    this.name = 'LockLostError';
  }
}

export type AcquireResult = { ok: true; lock: FileLock } | { ok: false; holder: LockInfo | undefined };

/** An unreadable lock younger than this may be a lock from an older version being written: leave it. */
const UNREADABLE_GRACE_MS = 5_000;
const TAKEOVER_STALE_MS = 10_000;

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

export function readLockInfo(path: string): LockInfo | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof value.nonce !== 'string' || typeof value.pid !== 'number') return undefined;
    return value as LockInfo;
  } catch {
    return undefined;
  }
}

function processIsGone(info: LockInfo): boolean {
  if (info.host !== hostname()) return false; // another machine (shared folder): only the lease tells
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return isErrno(error, 'ESRCH');
  }
}

function isStale(path: string, info: LockInfo | undefined, now: number): boolean {
  if (!info) {
    try {
      return now - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false; // it vanished: the next try takes it
    }
  }
  if (info.expiresAt > 0 && info.expiresAt <= now) return true;
  // A lease made to outlive its holder (an upload may still land) is not freed by the holder's exit.
  if (info.outlivesHolder === true && info.expiresAt > 0) return false;
  return processIsGone(info);
}

function tempBeside(path: string, nonce: string): string {
  return `${path}.${nonce}.tmp`;
}

/** Puts `content` at `path` only if nothing is there (atomic, content included). */
function linkInto(path: string, content: string, nonce: string): boolean {
  const temp = tempBeside(path, nonce);
  writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

export function tryAcquireFileLock(path: string, options: { owner: string; ttlMs: number; now?: () => number }): AcquireResult {
  const now = options.now ?? Date.now;
  const nonce = randomBytes(12).toString('hex');
  const info = (): LockInfo => ({
    owner: options.owner,
    pid: process.pid,
    host: hostname(),
    nonce,
    expiresAt: options.ttlMs > 0 ? now() + options.ttlMs : 0,
    since: new Date(now()).toISOString(),
  });
  const mine = info();
  if (linkInto(path, JSON.stringify(mine), nonce)) return { ok: true, lock: handle(path, mine, now) };

  const held = readLockInfo(path);
  if (!isStale(path, held, now())) return { ok: false, holder: held };

  // Take over a stale lock, one contender at a time.
  const takeover = `${path}.takeover`;
  let marker: number;
  try {
    marker = openSync(takeover, 'wx', 0o600);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    try {
      if (now() - statSync(takeover).mtimeMs > TAKEOVER_STALE_MS) unlinkQuietly(takeover); // its taker died mid-way
    } catch (statError) {
      if (!isErrno(statError, 'ENOENT')) throw statError;
    }
    return { ok: false, holder: held };
  }
  closeSync(marker);
  try {
    const again = readLockInfo(path);
    const same = again?.nonce === held?.nonce;
    if (!same && again !== undefined) return { ok: false, holder: again }; // someone else's, and fresh
    unlinkQuietly(path);
    const fresh = info();
    if (linkInto(path, JSON.stringify(fresh), nonce)) return { ok: true, lock: handle(path, fresh, now) };
    return { ok: false, holder: readLockInfo(path) };
  } finally {
    unlinkQuietly(takeover);
  }
}

function handle(path: string, initial: LockInfo, now: () => number): FileLock {
  let current = initial;
  return {
    get info() {
      return current;
    },
    extend(ttlMs: number, options: { outlivesHolder?: boolean } = {}) {
      const seen = readLockInfo(path);
      if (seen?.nonce !== current.nonce) throw new LockLostError(path, seen);
      const next: LockInfo = { ...current, expiresAt: ttlMs > 0 ? now() + ttlMs : 0 };
      if (options.outlivesHolder || current.outlivesHolder) next.outlivesHolder = true;
      const temp = tempBeside(path, `${current.nonce}x`);
      writeFileSync(temp, JSON.stringify(next), { mode: 0o600 });
      renameSync(temp, path); // atomic replace: readers see the old lease or the new one
      current = next;
      return next.expiresAt;
    },
    release() {
      if (readLockInfo(path)?.nonce === current.nonce) unlinkQuietly(path);
    },
  };
}
