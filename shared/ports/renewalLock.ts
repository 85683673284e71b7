/**
 * Keeps two renewals from overlapping. `acquire` throws AppError `renewal_in_progress` when another
 * holder's lease is live; a lease that outlived `ttlMs` (a crashed run) can be taken over.
 */
export interface RenewalLock {
  acquire(tenantId: string, owner: string, ttlMs: number): Promise<{ release(): Promise<void> }>;
}
