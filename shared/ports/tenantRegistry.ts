import type { TenantRegistryRecord } from '../domain/tenantRegistry';

/** The registry and the version it was read at (an ETag, or a counter for the file store). */
export interface VersionedRegistry {
  registry: TenantRegistryRecord;
  /** null when nothing is stored yet. */
  version: string | null;
}

/**
 * The fleet's registry of tenants (SPEC §15), one record kept with the state (Table Storage, or the
 * CLI's state file), with optimistic concurrency like the state: `save` succeeds only if the stored
 * version is still `expectedVersion` (null = must not exist yet), else `state_conflict`.
 */
export interface TenantRegistry {
  /** Where it lives, for people (no secrets). */
  readonly location: string;
  load(): Promise<VersionedRegistry>;
  save(registry: TenantRegistryRecord, expectedVersion: string | null): Promise<string>;
}
