import { AppError } from '../../domain/errors';
import { emptyRegistry, type TenantRegistryRecord } from '../../domain/tenantRegistry';
import type { TenantRegistry, VersionedRegistry } from '../../ports/tenantRegistry';
import type { FileRecordStore } from './fileRecordStore';
import { REGISTRY_PARTITION, REGISTRY_ROW } from './registryKeys';

/**
 * The CLI's registry of tenants: one record in the state file (its partition "~fleet"), read with the
 * state in the same pass (`records` is the run's one reading of the file) and saved like a tenant's
 * state: appended to the journal, conditional on the version read.
 */
export function createFileTenantRegistry(records: FileRecordStore): TenantRegistry {
  return {
    location: records.path,

    async load(): Promise<VersionedRegistry> {
      const record = await records.get(REGISTRY_PARTITION, REGISTRY_ROW);
      // A copy: the caller changes what it loaded, the store keeps what was saved.
      if (!record) return { registry: emptyRegistry(), version: null };
      return { registry: structuredClone(record.value) as TenantRegistryRecord, version: String(record.version) };
    },

    async save(registry, expectedVersion) {
      const expected = expectedVersion === null ? null : Number(expectedVersion);
      if (expected !== null && !Number.isInteger(expected)) throw new AppError('state_conflict', `The state file ${records.path} was changed by another run.`);
      const version = String(await records.put(REGISTRY_PARTITION, REGISTRY_ROW, registry, expected));
      // A command that changes the registry ends here: the journal is folded into the state file now.
      await records.compact();
      return version;
    },
  };
}
