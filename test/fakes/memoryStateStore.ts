import { AppError } from '../../shared/domain/errors';
import { emptyTenantState, type TenantState } from '../../shared/domain/tenantState';
import type { StateStore, VersionedState } from '../../shared/ports/stateStore';

/** An in-memory StateStore with the same optimistic-concurrency contract as the real ones. */
export function memoryStateStore(): StateStore & { docs: Map<string, { state: TenantState; version: number }>; saves: number } {
  const docs = new Map<string, { state: TenantState; version: number }>();
  const store = {
    location: 'memory',
    docs,
    saves: 0,
    async load(tenantId: string): Promise<VersionedState> {
      const doc = docs.get(tenantId);
      return doc ? { state: structuredClone(doc.state), version: String(doc.version) } : { state: emptyTenantState(tenantId), version: null };
    },
    async loadAll(): Promise<VersionedState[]> {
      return [...docs.values()].map((doc) => ({ state: structuredClone(doc.state), version: String(doc.version) }));
    },
    async save(state: TenantState, expectedVersion: string | null): Promise<string> {
      const doc = docs.get(state.tenantId);
      const current = doc ? String(doc.version) : null;
      if (current !== expectedVersion) throw new AppError('state_conflict', `state changed (${current} ≠ ${expectedVersion})`);
      const version = (doc?.version ?? 0) + 1;
      docs.set(state.tenantId, { state: structuredClone(state), version });
      store.saves++;
      return String(version);
    },
    async close() {},
  };
  return store;
}
