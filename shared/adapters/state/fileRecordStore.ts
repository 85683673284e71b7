import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../domain/errors';
import { isRecord } from '../../domain/graphJson';
import { tryAcquireFileLock, type FileLock } from './fileLock';

/**
 * The CLI's durable records in two files, so that a run of 1,000 tenants reads the state once and
 * writes a few kilobytes per save instead of the whole file (issue 20):
 *
 * - `<path>`: the snapshot,
 *     {"format":"intune-apns-monitor/state","schema":2,"records":{"<partition>":{"<row>":{"version":n,"value":…}}}}
 *   Keys mirror the table's PartitionKey/RowKey (the tenant id, or another partition for records of the
 *   home tenant; "state", "proposal:<id>" for renewal proposals), so new kinds of record need no new format.
 * - `<path>.journal`: an append-only log, a header line `{"format":…/journal,"id":"<random>"}` and one
 *   line per saved record `{"partition","row","version","value"}`.
 *
 * A record is the one with the highest version in the snapshot and the journal together, so replaying
 * a journal already folded into the snapshot changes nothing. Guarantees, as the single JSON file had:
 * - optimistic concurrency per record, across processes: a save takes `<path>.lock` (exclusive, see
 *   fileLock.ts), reads what other processes appended since (a few bytes; the whole state again only
 *   when another process compacted), compares the version, appends its line and syncs it to disk;
 * - atomicity: a line is complete only with its newline. A line cut short by a crash has none: it is
 *   not read, and the next save (under the lock, so its writer is gone) cuts it off before appending.
 *   The snapshot is replaced by rename, the journal too (with a new id) when it is compacted;
 * - a snapshot or a journal line that is not ours is `state_unreadable`, and nothing is written over it;
 * - the format of earlier versions (`{"format","version","tenants"}`) is read, and the first save
 *   rewrites it in this format, keeping the old file as `<path>.v1.bak` (a hard link: no copy).
 *
 * Saves queued while one is being written go out together (one append, one sync off the event loop).
 * The journal is folded into the snapshot by `compact`, which every writer calls when its run is done
 * (a run that died leaves its journal to the next one), under the same lock, from both files read again.
 */
export const STATE_FILE_FORMAT = 'intune-apns-monitor/state';
const JOURNAL_FORMAT = 'intune-apns-monitor/journal';
const LOCK_STALE_MS = 30_000; // a save takes milliseconds; a holder on another host is trusted this long
const LOCK_WAIT_MS = 10_000;
const NEWLINE = 0x0a;

export interface FileRecord {
  version: number;
  value: unknown;
}

/**
 * Checks one kind of record's value as read from disk (throws `state_unreadable`). The kind of a row
 * is its name up to the first ":" (`state`, `proposal` for `proposal:<id>`).
 */
export type RecordValidator = (value: unknown, where: string) => void;

export interface FileRecordStore {
  readonly path: string;
  /** The record, from what this store read (the files are read once, on first use). */
  get(partition: string, row: string): Promise<FileRecord | undefined>;
  /** Every record of one kind (`row`), by partition: one read of the files. */
  list(row: string): Promise<Map<string, FileRecord>>;
  /** Every record whose row starts with `prefix` (several per partition, e.g. `proposal:<id>`): one read of the files. */
  rows(prefix: string): Promise<{ partition: string; row: string; record: FileRecord }[]>;
  /**
   * Writes the record if its version is still `expectedVersion` (null: it must not exist yet), else
   * throws `state_conflict`; returns the new version.
   */
  put(partition: string, row: string, value: unknown, expectedVersion: number | null): Promise<number>;
  /** Folds the journal into the snapshot, when this store wrote to it. */
  compact(): Promise<void>;
}

type Records = Map<string, Map<string, FileRecord>>;

interface PendingSave {
  partition: string;
  row: string;
  value: unknown;
  expectedVersion: number | null;
  resolve(version: number): void;
  reject(error: unknown): void;
}

const datasync = promisify(fdatasync);

interface JournalPosition {
  id: string;
  /** The header line, exactly: compared to tell this journal from a newer one at the same path. */
  header: string;
  /** End of the last complete line read. */
  offset: number;
}

interface DiskState {
  records: Records;
  journal: JournalPosition | undefined;
  /** A line cut short at the end of the journal (a writer died): where it starts. */
  tornAt: number | undefined;
  legacy: boolean;
  snapshotBytes: number;
}

function unreadable(path: string, why: string): AppError {
  return new AppError('state_unreadable', `The state file ${path} is unreadable: ${why}. It was left untouched; fix it, move it away, or pass another --state-file.`);
}

function unavailable(path: string, what: string, error: unknown): AppError {
  return new AppError('state_unavailable', `Cannot ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function readFailure(path: string, error: unknown): AppError {
  const code = errnoOf(error);
  if (code === 'EISDIR') return unreadable(path, 'it is a directory');
  if (code === 'EACCES' || code === 'EPERM') return unreadable(path, 'permission denied');
  return unreadable(path, code ?? 'read error');
}

function setRecord(records: Records, partition: string, row: string, record: FileRecord): void {
  let rows = records.get(partition);
  if (!rows) records.set(partition, (rows = new Map()));
  const current = rows.get(row);
  if (!current || record.version > current.version) rows.set(row, record);
}

export function createFileRecordStore(path: string, validators: Readonly<Record<string, RecordValidator>> = {}): FileRecordStore {
  const journalPath = `${path}.journal`;
  let records: Records | undefined;
  let journal: JournalPosition | undefined;
  let tornAt: number | undefined;
  let legacy = false;
  let snapshotBytes = 0;
  let wrote = false;
  /** Saves waiting for the next write (see writePending). */
  const pending: PendingSave[] = [];

  const validate = (row: string, value: unknown, where: string) => validators[row.split(':', 1)[0] ?? row]?.(value, where);

  /** The snapshot (undefined when there is none yet), validated. */
  function readSnapshot(): { records: Records; legacy: boolean; bytes: number } {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return { records: new Map(), legacy: false, bytes: 0 };
      throw readFailure(path, error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw unreadable(path, 'it is not valid JSON (cut short or edited?)');
    }
    if (!isRecord(json) || json.format !== STATE_FILE_FORMAT) throw unreadable(path, 'it is not an apns-monitor state file');
    const out: Records = new Map();
    if (json.schema === undefined) {
      // The format before the journal: one document, one version counter for every tenant.
      if (typeof json.version !== 'number' || !Number.isInteger(json.version)) throw unreadable(path, 'its version is missing');
      if (!isRecord(json.tenants)) throw unreadable(path, 'its tenants are missing');
      for (const [tenantId, state] of Object.entries(json.tenants)) {
        validate('state', state, `${path} (tenant ${tenantId})`);
        setRecord(out, tenantId, 'state', { version: json.version, value: state });
      }
      return { records: out, legacy: true, bytes: text.length };
    }
    if (json.schema !== 2) throw unreadable(path, `its schema ${JSON.stringify(json.schema)} is newer than this version of apns-monitor knows`);
    if (!isRecord(json.records)) throw unreadable(path, 'its records are missing');
    for (const [partition, rows] of Object.entries(json.records)) {
      if (!isRecord(rows)) throw unreadable(path, `the records of ${partition} are not an object`);
      for (const [row, record] of Object.entries(rows)) {
        if (!isRecord(record) || !Number.isInteger(record.version)) throw unreadable(path, `the record ${partition}/${row} has no version`);
        validate(row, record.value, `${path} (${partition}, ${row})`);
        setRecord(out, partition, row, { version: record.version as number, value: record.value });
      }
    }
    return { records: out, legacy: false, bytes: text.length };
  }

  /**
   * Reads the open journal from `from` (undefined: from its header) to its end into `into`. Returns
   * where it stopped (undefined: an empty file, no header) and where an unfinished last line starts.
   */
  function readJournal(fd: number, from: JournalPosition | undefined, into: Records): { position: JournalPosition | undefined; tornAt: number | undefined } {
    const start = from?.offset ?? 0;
    const bytes = Buffer.allocUnsafe(Math.max(0, fstatSync(fd).size - start));
    let got = 0;
    for (let n = -1; got < bytes.length && n !== 0; got += n) n = readSync(fd, bytes, got, bytes.length - got, start + got);
    let position = from && { ...from };
    let lineStart = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1 && end < got; end = bytes.indexOf(NEWLINE, lineStart)) {
      const at = start + lineStart;
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8', lineStart, end));
      } catch {
        throw unreadable(journalPath, `the line at byte ${at} is not valid JSON`);
      }
      if (!position) {
        if (!isRecord(json) || json.format !== JOURNAL_FORMAT || typeof json.id !== 'string') throw unreadable(journalPath, 'it is not an apns-monitor journal');
        position = { id: json.id, header: bytes.toString('utf8', lineStart, end), offset: 0 };
      } else {
        if (!isRecord(json) || typeof json.partition !== 'string' || typeof json.row !== 'string' || !Number.isInteger(json.version)) {
          throw unreadable(journalPath, `the line at byte ${at} is not a record`);
        }
        validate(json.row, json.value, `${journalPath} (${json.partition}, ${json.row})`);
        setRecord(into, json.partition, json.row, { version: json.version as number, value: json.value });
      }
      lineStart = end + 1;
      position.offset = start + lineStart;
    }
    // A journal is created whole (renamed into place): without a complete header it is not ours.
    if (!position && got > 0) throw unreadable(journalPath, 'it is not an apns-monitor journal');
    return { position, tornAt: lineStart < got ? start + lineStart : undefined };
  }

  function openJournal(): number | undefined {
    try {
      return openSync(journalPath, 'r');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return undefined;
      throw readFailure(journalPath, error);
    }
  }

  /**
   * The snapshot and the journal, consistent without the lock: the journal is opened first, so a
   * compaction in between leaves a newer snapshot and the older journal (the highest version wins).
   */
  function readDisk(): DiskState {
    const fd = openJournal();
    try {
      const snapshot = readSnapshot();
      const read = fd === undefined ? undefined : readJournal(fd, undefined, snapshot.records);
      return {
        records: snapshot.records,
        journal: read?.position,
        tornAt: read?.tornAt,
        legacy: snapshot.legacy,
        snapshotBytes: snapshot.bytes,
      };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  function adopt(disk: DiskState): Records {
    records = disk.records;
    journal = disk.journal;
    tornAt = disk.tornAt;
    legacy = disk.legacy;
    snapshotBytes = disk.snapshotBytes;
    return records;
  }

  const loaded = (): Records => records ?? adopt(readDisk());

  /**
   * Under the lock: brings this store up to date with what other processes wrote. The same journal
   * (same header) is read on from where this store stopped; another one (created, or replaced by a
   * compaction) means the snapshot changed too, so both are read again.
   */
  function catchUp(): Records {
    if (!records) return adopt(readDisk());
    const fd = openJournal();
    if (fd === undefined) {
      if (journal === undefined) return records; // nobody wrote since this store read the snapshot
      return adopt(readDisk());
    }
    try {
      const header = journal ? Buffer.alloc(Buffer.byteLength(journal.header) + 1) : undefined;
      const same = journal !== undefined && header !== undefined && readSync(fd, header, 0, header.length, 0) === header.length && header.toString('utf8') === `${journal.header}\n`;
      if (!same) return adopt(readDisk());
      const read = readJournal(fd, journal, records);
      journal = read.position ?? journal;
      tornAt = read.tornAt;
      return records;
    } finally {
      closeSync(fd);
    }
  }

  /** Writes `content` beside `target` and renames it into place: readers see the old file or the new one. */
  function replaceFile(target: string, content: string): void {
    const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = openSync(temp, 'wx', 0o600);
      try {
        writeAll(fd, Buffer.from(content), 0);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw unavailable(target, 'write', error);
    }
  }

  function newJournal(): JournalPosition {
    const header = JSON.stringify({ format: JOURNAL_FORMAT, id: randomBytes(9).toString('hex') });
    replaceFile(journalPath, `${header}\n`);
    return { id: JSON.parse(header).id as string, header, offset: Buffer.byteLength(header) + 1 };
  }

  /** Under the lock: the snapshot as of now (read again, so nothing unreadable is written over), a new journal. */
  function compactLocked(): void {
    const disk = readDisk();
    const body: Record<string, Record<string, FileRecord>> = {};
    for (const [partition, rows] of disk.records) body[partition] = Object.fromEntries(rows);
    const text = `${JSON.stringify({ format: STATE_FILE_FORMAT, schema: 2, records: body })}\n`;
    if (disk.legacy) {
      try {
        linkSync(path, `${path}.v1.bak`); // the earlier format stays readable by hand, at no cost
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw unavailable(`${path}.v1.bak`, 'keep the earlier state file as', error);
      }
    }
    replaceFile(path, text);
    disk.journal = newJournal();
    disk.tornAt = undefined;
    disk.legacy = false;
    disk.snapshotBytes = text.length;
    adopt(disk);
  }

  /**
   * Under the lock: appends the lines where this store's reading of the journal ended, then waits for
   * them to reach the disk (off the event loop: a sync takes milliseconds on a busy disk, and the run's
   * other requests go on meanwhile). On failure the journal is cut back: nothing half-written stays.
   */
  async function append(lines: Buffer): Promise<void> {
    if (!journal) journal = newJournal();
    let fd: number;
    try {
      fd = openSync(journalPath, 'r+');
    } catch (error) {
      throw unavailable(journalPath, 'open', error);
    }
    const at = journal.offset;
    try {
      // A line a dead writer left unfinished is cut off: it was never acknowledged.
      if (tornAt !== undefined) ftruncateSync(fd, at);
      tornAt = undefined;
      writeAll(fd, lines, at);
      await datasync(fd);
    } catch (error) {
      try {
        ftruncateSync(fd, at);
      } catch {
        tornAt = at; // not cut back: the next save cuts it (it is not read, having no newline or a torn one)
      }
      throw unavailable(journalPath, 'append to', error);
    } finally {
      closeSync(fd);
    }
    journal.offset = at + lines.length;
    wrote = true;
  }

  /**
   * Writes the saves queued meanwhile as one append and one sync (a group commit): each compared with
   * its record's version as it stands after the saves before it, each answered on its own.
   */
  async function writePending(): Promise<void> {
    const batch = pending.splice(0);
    if (batch.length === 0) return;
    try {
      await withLock(async () => {
        catchUp(); // throws (and so never writes) when the files are unreadable
        // No snapshot yet, or one in the earlier format: written (migrated) before the first append, so
        // the state file exists from the first save and a run of an earlier version cannot rewrite it.
        if (legacy || snapshotBytes === 0) compactLocked();
        const accepted: { save: PendingSave; record: FileRecord }[] = [];
        const after = new Map<string, FileRecord>(); // this batch's records, over the stored ones
        for (const save of batch) {
          const key = `${save.partition}\u0000${save.row}`;
          const current = after.get(key) ?? (records as Records).get(save.partition)?.get(save.row);
          if ((current?.version ?? null) !== save.expectedVersion) {
            save.reject(new AppError('state_conflict', `The state file ${path} was changed by another run.`));
            continue;
          }
          const record = { version: (current?.version ?? 0) + 1, value: save.value };
          after.set(key, record);
          accepted.push({ save, record });
        }
        if (accepted.length === 0) return;
        const lines = accepted.map(({ save, record }) => `${JSON.stringify({ partition: save.partition, row: save.row, version: record.version, value: record.value })}\n`);
        try {
          await append(Buffer.from(lines.join('')));
        } catch (error) {
          for (const { save } of accepted) save.reject(error);
          return;
        }
        for (const { save, record } of accepted) {
          setRecord(records as Records, save.partition, save.row, record);
          save.resolve(record.version);
        }
      });
    } catch (error) {
      for (const save of batch) save.reject(error); // a settled promise ignores a second answer
    }
  }

  /**
   * Runs `fn` holding `<path>.lock` (exclusive, see fileLock.ts). A lock left by a killed process is
   * taken over at once; one whose holder still runs is waited for, then a conflict.
   */
  async function withLock<T>(fn: () => Promise<T>): Promise<T> {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw unavailable(dirname(path), 'create the folder', error);
    }
    const lockPath = `${path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    let lock: FileLock | undefined;
    while (!lock) {
      let result;
      try {
        result = tryAcquireFileLock(lockPath, { owner: 'state-save', ttlMs: LOCK_STALE_MS });
      } catch (error) {
        throw unavailable(path, 'lock the state file', error);
      }
      if (result.ok) lock = result.lock;
      else if (Date.now() > deadline) throw new AppError('state_conflict', `The state file ${path} stayed locked by another run (${lockPath}).`);
      else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }

  /** One locked operation at a time in this process (other processes are kept out by the lock file). */
  let queue: Promise<void> = Promise.resolve();
  const serially = (operation: () => Promise<void>): Promise<void> => (queue = queue.then(operation, operation));

  return {
    path,

    async get(partition, row) {
      return loaded().get(partition)?.get(row);
    },

    async list(row) {
      const out = new Map<string, FileRecord>();
      for (const [partition, rows] of loaded()) {
        const record = rows.get(row);
        if (record) out.set(partition, record);
      }
      return out;
    },

    async rows(prefix) {
      const out: { partition: string; row: string; record: FileRecord }[] = [];
      for (const [partition, rows] of loaded()) {
        for (const [row, record] of rows) if (row.startsWith(prefix)) out.push({ partition, row, record });
      }
      return out;
    },

    async put(partition, row, value, expectedVersion) {
      validate(row, value, `${path} (${partition}, ${row})`);
      return new Promise<number>((resolve, reject) => {
        pending.push({ partition, row, value: structuredClone(value), expectedVersion, resolve, reject });
        // The first save queued starts a write; saves queued while it runs go out together after it.
        if (pending.length === 1) void serially(writePending);
      });
    },

    async compact() {
      await serially(async () => {
        if (!wrote) return;
        await withLock(async () => {
          compactLocked();
          wrote = false;
        });
      });
    },
  };
}

function writeAll(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
