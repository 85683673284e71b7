import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../domain/errors';
import { formatUtc } from '../../domain/graphDateTime';
import type { RenewalLock } from '../../ports/renewalLock';
import { LockLostError, tryAcquireFileLock, type LockInfo } from './fileLock';

/**
 * The CLI's renewal lock: `<state file>.renewal.lock`, exclusive (see fileLock.ts). A lock whose
 * lease expired is taken over; so is one whose process is gone, but only until the renewal passed
 * its fence: from then on its upload may still land after the process exits (a PATCH with no
 * answer), so the lease written in the file binds until it ends, whatever became of the process.
 */
export function createFileRenewalLock(stateFile: string, now: () => number = Date.now): RenewalLock {
  const path = `${stateFile}.renewal.lock`;
  return {
    async acquire(_tenantId, owner, ttlMs) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      let result;
      try {
        result = tryAcquireFileLock(path, { owner, ttlMs, now });
      } catch (error) {
        throw new AppError('state_unavailable', `Cannot create the renewal lock ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
      }
      if (!result.ok) throw inProgress(path, result.holder);
      const lock = result.lock;
      return {
        async extend(ttl: number) {
          try {
            return lock.extend(ttl, { outlivesHolder: true });
          } catch (error) {
            if (error instanceof LockLostError) {
              throw new AppError('renewal_in_progress', `This renewal outlived its lock (${path}) and another renewal took it over; nothing was uploaded by this one.`);
            }
            throw new AppError('state_unavailable', `Cannot extend the renewal lock ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
          }
        },
        async release() {
          lock.release();
        },
      };
    },
  };
}

function inProgress(path: string, holder: LockInfo | undefined): AppError {
  const until = holder && holder.expiresAt > 0 ? formatUtc(holder.expiresAt) : undefined;
  if (holder?.outlivesHolder && until) {
    return new AppError(
      'renewal_in_progress',
      `Another renewal's upload may still reach Intune: the renewal lock ${path} is held until ${until} (since ${holder.since}); nothing was uploaded.`,
      { hint: `After ${until}, check the certificate in the Intune admin center (or run "apns-monitor check"), then renew again if it is still needed.` },
    );
  }
  const since = holder ? ` (since ${holder.since}${until ? `, its lease ends ${until}` : ''})` : '';
  return new AppError('renewal_in_progress', `Another renewal is running${since}, lock ${path}; nothing was uploaded. Try again when it has finished.`);
}
