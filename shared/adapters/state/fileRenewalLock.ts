import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../domain/errors';
import type { AuditEntry, AuditLog } from '../../ports/auditLog';
import type { RenewalLock } from '../../ports/renewalLock';

/** The CLI's renewal lock: `<state file>.renewal.lock`, created exclusively; stale after its TTL. */
export function createFileRenewalLock(stateFile: string, now: () => number = Date.now): RenewalLock {
  const path = `${stateFile}.renewal.lock`;
  return {
    async acquire(_tenantId, owner, ttlMs) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const fd = openSync(path, 'wx', 0o600);
          writeSync(fd, JSON.stringify({ owner, expiresAt: now() + ttlMs, since: new Date(now()).toISOString() }));
          closeSync(fd);
          return {
            async release() {
              const held = readLock(path);
              if (held?.owner === owner) rmSync(path, { force: true });
            },
          };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new AppError('state_unavailable', `Cannot create the renewal lock ${path}.`);
          const held = readLock(path);
          if (held && held.expiresAt > now()) {
            throw new AppError('renewal_in_progress', `Another renewal is running (since ${held.since}, lock ${path}); nothing was uploaded.`);
          }
          rmSync(path, { force: true }); // stale or unreadable: a crashed run
        }
      }
      throw new AppError('renewal_in_progress', `Another renewal took the lock ${path} at the same moment; nothing was uploaded.`);
    },
  };
}

function readLock(path: string): { owner: string; expiresAt: number; since: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { owner: string; expiresAt: number; since: string };
  } catch {
    return undefined;
  }
}

/** The CLI's audit trail: one JSON line per attempt in `<state file>.audit.jsonl`. */
export function createFileAuditLog(stateFile: string): AuditLog {
  const path = `${stateFile}.audit.jsonl`;
  return {
    async record(entry) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
    async latest(tenantId, count) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new AppError('state_unreadable', `The audit file ${path} is unreadable.`);
      }
      const entries: AuditEntry[] = [];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as AuditEntry;
          if (entry.tenantId === tenantId) entries.push(entry);
        } catch {
          throw new AppError('state_unreadable', `The audit file ${path} has a line that is not JSON; it was left as it is.`);
        }
      }
      return entries.reverse().slice(0, count);
    },
  };
}
