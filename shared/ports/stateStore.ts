import type { TenantState } from '../domain/tenantState';

/** A state document and the version it was read at (an ETag, or a counter for the file store). */
export interface VersionedState {
  state: TenantState;
  /** null when nothing is stored yet. */
  version: string | null;
}

/**
 * Durable alert state, one document per tenant, with optimistic concurrency: `save` succeeds only
 * if the stored version is still `expectedVersion` (null = must not exist yet), else it throws an
 * AppError `state_conflict` and the caller reloads and decides again. That is what keeps two
 * overlapping runs from sending the same message twice.
 */
export interface StateStore {
  /** A human description of where the state lives (no secrets): "table apnsmonitor", a file path. */
  readonly location: string;
  load(tenantId: string): Promise<VersionedState>;
  /** Every stored tenant's state in one query (not one request per tenant): what the status page reads. */
  loadAll(): Promise<VersionedState[]>;
  save(state: TenantState, expectedVersion: string | null): Promise<string>;
  /** The run is done: a store may tidy up what it wrote (the file store folds its journal into the file). */
  close(): Promise<void>;
}
