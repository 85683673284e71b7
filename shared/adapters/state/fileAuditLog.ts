import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../domain/errors';
import type { AuditLog, AuditRecord } from '../../ports/auditLog';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The lines of a file from its end to its start, read backwards in chunks: the newest audit entries
 * are found without reading what came before them. Nothing when the file does not exist.
 */
function* linesFromEnd(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AppError('state_unreadable', `The audit file ${path} is unreadable.`);
  }
  try {
    let position = fstatSync(fd).size;
    let rest = Buffer.alloc(0); // the part of a line after the chunk just read (its start is in an earlier one)
    while (position > 0) {
      const size = Math.min(CHUNK_BYTES, position);
      position -= size;
      const chunk = Buffer.allocUnsafe(size);
      for (let got = 0; got < size; ) got += readSync(fd, chunk, got, size - got, position + got);
      const buffer = Buffer.concat([chunk, rest]);
      // Split on the newline byte, which is never part of a multi-byte UTF-8 character.
      let end = buffer.length;
      for (let nl = buffer.lastIndexOf(NEWLINE, end - 1); nl !== -1; nl = nl > 0 ? buffer.lastIndexOf(NEWLINE, nl - 1) : -1) {
        yield buffer.toString('utf8', nl + 1, end);
        end = nl;
      }
      rest = buffer.subarray(0, end);
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The CLI's audit trail: one JSON line per renewal attempt or acknowledgement in `<state file>.audit.jsonl`, appended.
 * Read from its end: the latest entries of a tenant stop the read once found, and the status page
 * reads it once for every tenant (not once per tenant).
 */
export function createFileAuditLog(stateFile: string): AuditLog {
  const path = `${stateFile}.audit.jsonl`;

  function* entriesFromEnd(): Generator<AuditRecord> {
    for (const line of linesFromEnd(path)) {
      if (!line.trim()) continue;
      try {
        yield JSON.parse(line) as AuditRecord;
      } catch {
        throw new AppError('state_unreadable', `The audit file ${path} has a line that is not JSON; it was left as it is.`);
      }
    }
  }

  return {
    async record(entry) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },

    async latest(tenantId, count) {
      const out: AuditRecord[] = [];
      if (count <= 0) return out;
      for (const entry of entriesFromEnd()) {
        if (entry.tenantId !== tenantId) continue;
        out.push(entry);
        if (out.length >= count) break;
      }
      return out;
    },

    async latestByTenant(count) {
      const out = new Map<string, AuditRecord[]>();
      for (const entry of entriesFromEnd()) {
        let list = out.get(entry.tenantId);
        if (!list) out.set(entry.tenantId, (list = []));
        if (list.length < count) list.push(entry);
      }
      return out;
    },
  };
}
