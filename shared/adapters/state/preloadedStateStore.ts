import { emptyTenantState, type TenantState } from '../../domain/tenantState';
import type { StateStore, VersionedState } from '../../ports/stateStore';

/**
 * A fleet run's view of a state store: every tenant's state read in one query (`loadAll`, a
 * partition scan) the first time any is asked for, instead of one request per tenant; and the
 * version this run has just written served back to its next load of that tenant (a check loads
 * before it claims and again before it records). Each such version is served once.
 *
 * Optimistic concurrency is the store's, unchanged: every save is conditional on the version
 * served, so a tenant another run changed since the scan fails with `state_conflict`, and that
 * tenant's next load goes to the store itself. When the scan fails (the store unreachable, one
 * unreadable record), each tenant's load goes to the store and reports its own failure (SPEC §3).
 */
export function preloadedStateStore(store: StateStore): StateStore {
  let scan: Promise<Map<string, VersionedState> | undefined> | undefined;
  // What the scan found and what this run saved, each served to one load.
  const ready = new Map<string, VersionedState>();
  // Tenants already served once from the scan (what it found, or an empty state for what it did not).
  const served = new Set<string>();

  const preload = () =>
    (scan ??= store.loadAll().then(
      (all) => {
        for (const entry of all) ready.set(entry.state.tenantId, entry);
        return ready;
      },
      // Not thrown here: each tenant's own load then meets the failure and reports it for that tenant.
      () => undefined,
    ));

  return {
    location: store.location,

    async load(tenantId: string): Promise<VersionedState> {
      const scanned = await preload();
      const next = ready.get(tenantId);
      if (next) {
        ready.delete(tenantId);
        served.add(tenantId);
        return next;
      }
      if (scanned && !served.has(tenantId)) {
        // The scan found no record: nothing stored yet (a save expecting none fails if another run made one).
        served.add(tenantId);
        return { state: emptyTenantState(tenantId), version: null };
      }
      return store.load(tenantId);
    },

    loadAll: () => store.loadAll(),

    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      const version = await store.save(state, expectedVersion);
      ready.set(state.tenantId, { state, version });
      return version;
    },

    close: () => store.close(),
  };
}
