/** A held renewal lock. */
export interface RenewalLease {
  /**
   * The fence, called right before the upload: confirms the lease is still this renewal's and
   * pushes it to now + ttlMs; returns when the lease now ends (epoch ms). From then on the lease
   * binds even if this process exits or is killed (its upload may still land), until that end.
   * Throws AppError `renewal_in_progress` when another renewal took it over (this one outlived its
   * lease): then nothing may be uploaded.
   */
  extend(ttlMs: number): Promise<number>;
  release(): Promise<void>;
}

/**
 * Keeps two renewals from overlapping. `acquire` throws AppError `renewal_in_progress` when another
 * holder's lease is live; a lease that outlived `ttlMs` (a crashed run) can be taken over.
 */
export interface RenewalLock {
  acquire(tenantId: string, owner: string, ttlMs: number): Promise<RenewalLease>;
}
