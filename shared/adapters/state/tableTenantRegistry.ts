import { emptyRegistry, parseRegistry } from '../../domain/tenantRegistry';
import type { TenantRegistry, VersionedRegistry } from '../../ports/tenantRegistry';
import { REGISTRY_PARTITION, REGISTRY_ROW } from './registryKeys';
import { chunkedJsonEntity, createTableClient, describeTable, isNotFound, jsonOfEntity, saveEntity, storageError, tableCreator, type TableStoreOptions } from './tableStateStore';

/**
 * The fleet's registry of tenants in Table Storage, beside the state: one entity (PartitionKey
 * "~fleet", RowKey "registry", the JSON over state0..stateN like a tenant's state), read once per run
 * with one point read, and saved conditional on its ETag so two people adding tenants at once never
 * lose one.
 */
export function createTableTenantRegistry(options: TableStoreOptions): TenantRegistry {
  const client = createTableClient(options);
  const location = describeTable(options);
  const ensureTable = tableCreator(client, location);
  const where = `${location} (the tenant registry)`;

  return {
    location,

    async load(): Promise<VersionedRegistry> {
      let entity;
      try {
        entity = await client.getEntity<Record<string, unknown>>(REGISTRY_PARTITION, REGISTRY_ROW);
      } catch (error) {
        // No table or no entity yet: nobody registered a tenant.
        if (isNotFound(error)) return { registry: emptyRegistry(), version: null };
        throw storageError(error, location, 'read the tenant registry');
      }
      return { registry: parseRegistry(jsonOfEntity(entity, 'tenant registry', where), where), version: entity.etag ?? null };
    },

    async save(registry, expectedVersion) {
      await ensureTable();
      const entity = chunkedJsonEntity(REGISTRY_PARTITION, REGISTRY_ROW, registry, 'tenant registry', { schema: registry.schema, tenants: registry.tenants.length });
      return saveEntity(client, entity, expectedVersion, location, 'save the tenant registry');
    },
  };
}
