/**
 * Where the fleet's registry is stored: one record, in a partition of its own beside the tenants'
 * ones (PartitionKey = tenant id). Not the home tenant's partition: the home tenant may be written as
 * a GUID or as a domain in APNS_TENANT_ID, and the registry must not vanish when that changes. "~"
 * never starts a tenant id (letters, digits, ".", "_", "-"), so it cannot meet a tenant's partition.
 */
export const REGISTRY_PARTITION = '~fleet';
export const REGISTRY_ROW = 'registry';
