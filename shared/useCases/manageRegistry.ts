import { AppError } from '../domain/errors';
import {
  fromSettingMessage,
  registerTenants,
  tenantNameFrom,
  unregisterTenant,
  type RegisteredTenant,
  type RegistrationVia,
  type RegistryChange,
  type RegistryEntry,
  type TenantRegistryRecord,
} from '../domain/tenantRegistry';
import type { Clock } from '../ports/clock';
import type { GdapCustomer, PartnerDirectory } from '../ports/partnerDirectory';
import type { TenantRegistry } from '../ports/tenantRegistry';
import { retryOnConflict } from './retryOnConflict';

/** What changing the registry needs: where it is, the tenants of the setting (they win), the clock. */
export interface RegistryDeps {
  registry: TenantRegistry;
  /** `APNS_TENANTS`: never registered, never removed through the registry. */
  setting: readonly { id: string; name: string }[];
  clock: Clock;
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * Read → change → save conditional on the version read; when another command saved meanwhile, read
 * again and decide again (so two people adding tenants at once both get theirs in).
 */
async function changeRegistry<T>(store: TenantRegistry, change: (registry: TenantRegistryRecord) => { registry: TenantRegistryRecord; result: T; changed: boolean }): Promise<T> {
  return retryOnConflict(MAX_CONFLICT_RETRIES, async () => {
    const { registry, version } = await store.load();
    const next = change(registry);
    if (next.changed) await store.save(next.registry, version);
    return next.result;
  });
}

/** `tenants add` and `tenants import`: every entry, or none (a refusal changes nothing). */
export async function addToRegistry(deps: RegistryDeps, entries: readonly RegistryEntry[], via: RegistrationVia): Promise<RegistryChange> {
  const now = deps.clock.now();
  return changeRegistry(deps.registry, (registry) => {
    const change = registerTenants(registry, entries, { setting: deps.setting, now, via });
    return { registry: change.registry, result: change, changed: change.added.length + change.updated.length > 0 };
  });
}

export interface Removal {
  removed: RegisteredTenant;
  /** The tenant is in APNS_TENANTS too: still watched (the setting won over this entry all along). */
  stillInSetting: boolean;
}

/** `tenants remove`: a registered tenant only; one of the setting is refused, saying where to remove it. */
export async function removeFromRegistry(deps: RegistryDeps, id: string): Promise<Removal> {
  const wanted = id.trim().toLowerCase();
  const inSetting = deps.setting.some((t) => t.id.toLowerCase() === wanted);
  return changeRegistry(deps.registry, (registry) => {
    const { registry: next, removed } = unregisterTenant(registry, wanted);
    if (!removed) {
      if (inSetting) throw new AppError('invalid_request', `Nothing was removed: ${fromSettingMessage(id.trim())}.`);
      throw new AppError('invalid_request', `Nothing was removed: tenant ${id.trim().slice(0, 64)} is not registered (apns-monitor tenants list shows the watched tenants).`);
    }
    return { registry: next, result: { removed, stillInSetting: inSetting }, changed: true };
  });
}

export interface Discovery {
  /** Every GDAP customer of the partner tenant. */
  customers: GdapCustomer[];
  /** Those not watched yet (neither in the setting nor registered), by display name. */
  unwatched: GdapCustomer[];
  /** With `add`: what was registered. */
  change?: RegistryChange;
}

const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare;

/**
 * `tenants discover [--add]`: the partner tenant's GDAP customers that are not watched yet, and with
 * `add` registers them (named by their Entra display name).
 */
export async function discoverTenants(deps: RegistryDeps & { directory: PartnerDirectory }, options: { add: boolean }): Promise<Discovery> {
  const [customers, { registry }] = await Promise.all([deps.directory.listDelegatedAdminCustomers(), deps.registry.load()]);
  const watched = new Set([...deps.setting.map((t) => t.id.toLowerCase()), ...registry.tenants.map((t) => t.id)]);
  const unwatched = customers.filter((c) => !watched.has(c.tenantId.toLowerCase())).sort((a, b) => byName(a.displayName ?? a.tenantId, b.displayName ?? b.tenantId));
  if (!options.add || unwatched.length === 0) return { customers, unwatched };
  const entries = unwatched.map((c): RegistryEntry => {
    const name = tenantNameFrom(c.displayName);
    return { id: c.tenantId.toLowerCase(), ...(name ? { name } : {}) };
  });
  return { customers, unwatched, change: await addToRegistry(deps, entries, 'discover') };
}
