/**
 * One fleet tenant to check (SPEC §11). The timer enqueues one per tenant; a queue-triggered
 * function checks one tenant per message. Holds no secret: only which tenant, and which run.
 */
export interface TenantCheckMessage {
  tenantId: string;
  /** The timer invocation that enqueued it (for the logs). */
  runId: string;
  /** ISO 8601 UTC. */
  enqueuedAt: string;
}

/**
 * Where a fleet's tenant checks wait for a worker: an Azure Storage queue in Azure (the platform
 * scales the consumers). Throws AppError `state_unavailable` when the queue cannot be reached.
 */
export interface TenantCheckQueue {
  /** A description without secrets, e.g. `queue "apns-tenant-checks" at acct.queue.core.windows.net`. */
  readonly location: string;
  enqueue(messages: readonly TenantCheckMessage[]): Promise<void>;
}
