import { MONITORED_KINDS, type EpochMs, type MonitoredKind, type ReadOutcome } from './assets';
import { KIND_SPECS, type KindRegistry } from './assetKinds';
import type { AppError } from './errors';
import type { CollectionKind, EntityKind } from './kinds/kindSpec';

export type { AdeToken } from './kinds/ade';
export type { ApnsCertificate } from './kinds/apns';
export type { VppToken } from './kinds/vpp';

/** What one read of a kind yields: its entity, or the list of its items (as its description says). */
type ValueOf<S> = S extends CollectionKind<MonitoredKind, infer I> ? I[] : S extends EntityKind<MonitoredKind, infer V> ? V : never;

/** What one read of each kind yields, from the registry's descriptions. */
export type KindValues = { [K in MonitoredKind]: ValueOf<KindRegistry[K]> };

/** Everything one monitoring run reads from a tenant: one outcome per kind. */
export type TenantSnapshot = { tenantId: string; readAt: EpochMs } & { [K in MonitoredKind]: ReadOutcome<KindValues[K]> };

/** A snapshot in which every kind has the same outcome (a read that failed as a whole, or was switched off). */
export function uniformSnapshot(
  tenantId: string,
  readAt: EpochMs,
  outcomeOf: (kind: MonitoredKind) => { status: 'failed'; error: AppError } | { status: 'skipped' },
): TenantSnapshot {
  const outcomes = Object.fromEntries(MONITORED_KINDS.map((k) => [k, outcomeOf(k)]));
  return { tenantId, readAt, ...outcomes } as TenantSnapshot;
}

/**
 * The Graph permissions a snapshot's reads were refused for (403), each once, in the registry's
 * order: the base permission when Intune could not be read at all, a further one for the kinds that
 * need it. What `tenants list` and the status page say is missing.
 */
export function missingPermissionsOf(snapshot: TenantSnapshot): string[] {
  const out: string[] = [];
  for (const spec of KIND_SPECS) {
    const outcome = snapshot[spec.kind];
    if (outcome.status === 'failed' && outcome.error.code === 'graph_permission_denied' && !out.includes(spec.read.permission)) out.push(spec.read.permission);
  }
  return out;
}
