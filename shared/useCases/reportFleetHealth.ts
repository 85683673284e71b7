import { assessFleet, fleetAlertKey, fleetStateId, type FleetOutcome } from '../domain/assessFleet';
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
export async function reportFleetHealth(deps: NotifyDeps, options: CheckOptions, outcome: FleetOutcome): Promise<CheckReport | undefined> {
  const home = options.tenantId;
  if (!outcome.cause && !(await fleetAlertOpen(deps.store, home))) return undefined;
  const now = options.now ?? deps.clock.now();
  const recordId = fleetStateId(home);
  const snapshot = uniformSnapshot(recordId, now, () => ({ status: 'skipped' }));
  const fleet: CheckOptions = { ...options, tenantId: recordId, tenantName: `Fleet of ${outcome.total} tenant${outcome.total === 1 ? '' : 's'}`, routes: [], kinds: [], notify: true, now };
  return notifyAssessed(deps, fleet, snapshot, [assessFleet(home, outcome, now)]);
}

/** True while the fleet's alert is raised (or being sent): a tenant given up on is part of it. */
export async function fleetAlertOpen(store: StateStore, homeTenantId: string): Promise<boolean> {
  const { state } = await store.load(fleetStateId(homeTenantId));
  const key = fleetAlertKey(homeTenantId);
  const stored = state.assessments.find((a) => a.key === key);
  return (stored !== undefined && stored.severity !== 'ok') || Object.keys(state.channels[key] ?? {}).length > 0;
}
