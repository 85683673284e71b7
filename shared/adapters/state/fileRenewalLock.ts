import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../domain/errors';
import type { RenewalLock } from '../../ports/renewalLock';
import { LockLostError, tryAcquireFileLock } from './fileLock';

/**
 * The CLI's renewal lock: `<state file>.renewal.lock`, exclusive (see fileLock.ts); a lock whose
 * lease expired or whose process is gone is taken over.
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
      if (!result.ok) {
        const since = result.holder ? ` (since ${result.holder.since})` : '';
        throw new AppError('renewal_in_progress', `Another renewal is running${since}, lock ${path}; nothing was uploaded. Try again when it has finished.`);
      }
      const lock = result.lock;
      return {
        async extend(ttl: number) {
          try {
            lock.extend(ttl);
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
