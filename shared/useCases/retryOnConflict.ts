import { AppError } from '../domain/errors';

/** Another writer saved first (optimistic concurrency): reading again and deciding again can succeed. */
export function isConflict(error: unknown): boolean {
  return error instanceof AppError && error.code === 'state_conflict';
}

/**
 * Read → decide → save conditional on the version read, as `attempt` does it; when another writer
 * saved in between (`state_conflict`), the whole attempt again from the read, at most `maxAttempts`
 * times in all. Any other error, or the last conflict, is thrown.
 */
export async function retryOnConflict<T>(maxAttempts: number, attempt: (n: number) => Promise<T>, onConflict?: (n: number) => void): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (thrown) {
      if (!isConflict(thrown) || n >= maxAttempts) throw thrown;
      onConflict?.(n);
    }
  }
}
