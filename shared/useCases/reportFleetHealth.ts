import { assessFleet, fleetAlertKey, fleetStateId, type FleetOutcome } from '../domain/assessFleet';
import type { EpochMs } from '../domain/assets';
import { uniformSnapshot } from '../domain/snapshot';
import type { StateStore } from '../ports/stateStore';
import { notifyAssessed, type CheckOptions, type CheckReport, type NotifyDeps } from './checkExpiry';

/**
 * The fleet's one alert for a cause every tenant shares (SPEC §15), through the same decide →
 * claim → send → record as a tenant's alerts, on its own state record: raised once however many
 * tenants (or queue invocations) report the cause, reminded like any critical alert, and resolved
 * by the first run that gets through. `options` are the home tenant's check options. It goes to
 * the global channels only, never to a customer route (SPEC §15): a shared cause is the operator's
 * own (its identity, Entra, Graph), not any customer's, even when the home tenant has routes.
 * Returns undefined when there was nothing to raise or resolve (nothing is written then).
 */
export async function reportFleetHealth(deps: NotifyDeps, options: CheckOptions, outcome: FleetOutcome, memory?: FleetAlertMemory): Promise<CheckReport | undefined> {
  const home = options.tenantId;
  if (!outcome.cause) {
    const at = deps.clock.now();
    if (memory && at < memory.closedUntil) return undefined;
    const raised = memory?.raised;
    if (!(await fleetAlertOpen(deps.store, home))) {
      // Unless an invocation of this process raised it meanwhile: then the next good check looks again.
      if (memory && memory.raised === raised) memory.closedUntil = at + fleetAlertMemoryWindow.ms;
      return undefined;
    }
  } else if (memory) {
    memory.closedUntil = 0;
    memory.raised++;
  }
  const now = options.now ?? deps.clock.now();
  const recordId = fleetStateId(home);
  const snapshot = uniformSnapshot(recordId, now, () => ({ status: 'skipped' }));
  const fleet: CheckOptions = { ...options, tenantId: recordId, tenantName: `Fleet of ${outcome.total} tenant${outcome.total === 1 ? '' : 's'}`, routes: [], kinds: [], notify: true, now };
  return notifyAssessed(deps, fleet, snapshot, [assessFleet(home, outcome, now)]);
}

/**
 * What a process with many checks (a Functions instance: one per queue message) remembers of the
 * fleet's alert: that it found it closed, so that its good checks do not each read the alert's record
 * to learn that nothing needs resolving. The cost: an alert another instance raises meanwhile is
 * resolved up to `fleetAlertMemoryWindow` later than the first good check after it. The window is
 * shorter than the queue's visibilityTimeout (host.json, 1 min), so a message that failed for the
 * shared cause and is retried comes back after every instance's memory has lapsed: its good check
 * resolves the alert. An alert this process raises is never hidden from its own next check.
 */
export interface FleetAlertMemory {
  /** Until when the alert is known closed (0: look at its record). */
  closedUntil: EpochMs;
  /** How many times this process raised (or re-raised) it: a look that overlapped a raise remembers nothing. */
  raised: number;
}

/** How long a process trusts having found the fleet's alert closed (tests shorten or widen it). */
export const fleetAlertMemoryWindow = { ms: 30_000 };

/** True while the fleet's alert is raised (or being sent): a tenant given up on is part of it. */
export async function fleetAlertOpen(store: StateStore, homeTenantId: string): Promise<boolean> {
  const { state } = await store.load(fleetStateId(homeTenantId));
  const key = fleetAlertKey(homeTenantId);
  const stored = state.assessments.find((a) => a.key === key);
  return (stored !== undefined && stored.severity !== 'ok') || Object.keys(state.channels[key] ?? {}).length > 0;
}
