import { alertKey, type EpochMs } from './assets';
import type { Assessment, Finding } from './assessment';
import type { AppError, SharedCause } from './errors';

/**
 * The fleet's own health (SPEC §15 "a shared cause is seen once"): when what fails is common to
 * every tenant, one alert for the fleet says so instead of one per tenant. It is an asset like any
 * other — key `{homeTenantId}:monitor:fleet` (PagerDuty's dedup_key), de-duplicated, reminded and
 * resolved by the same policy — kept in a state record of its own (`fleetStateId`), so it never
 * mixes with the home tenant's own record when the home tenant is watched too.
 */
export const FLEET_ASSET_ID = 'fleet';

/** The state record holding the fleet's alert: beside the tenants' records, never one of them. */
export function fleetStateId(homeTenantId: string): string {
  return `fleet:${homeTenantId}`;
}

export function fleetAlertKey(homeTenantId: string): string {
  return alertKey(homeTenantId, 'monitor', FLEET_ASSET_ID);
}

/** What each shared cause is, in the words of the alert's title. */
export const SHARED_CAUSE_LABEL: Record<SharedCause, string> = {
  identity_endpoint: 'the managed identity endpoint failed',
  entra: 'Microsoft Entra sign-in failed',
  graph: 'Microsoft Graph could not be reached',
  home_credential: "the monitor's own credential was refused",
};

export interface FleetOutcome {
  /** The shared cause the run stopped on; undefined when it did not (the fleet could be checked). */
  cause?: AppError;
  /** Tenants whose check was tried and failed this way, and tenants not tried because of it. */
  tried: number;
  notTried: number;
  total: number;
}

/** The fleet's monitor asset: critical with the cause, or ok (which resolves an earlier alert). */
export function assessFleet(homeTenantId: string, outcome: FleetOutcome, now: EpochMs): Assessment {
  const findings: Finding[] = [];
  const { cause } = outcome;
  if (cause) {
    const label = cause.sharedCause ? SHARED_CAUSE_LABEL[cause.sharedCause] : 'a cause every tenant shares';
    const reach =
      outcome.notTried > 0
        ? ` It was the same for the first ${outcome.tried} tenant${outcome.tried === 1 ? '' : 's'} checked, so the other ${outcome.notTried} of ${outcome.total} were not tried.`
        : ' Every tenant whose check fails this way is reported here, not one by one.';
    const finding: Finding = {
      code: 'shared_cause',
      severity: 'critical',
      title: `Expiry monitor cannot check the fleet: ${label}`,
      message: `No tenant of the fleet could be checked, because ${label}: ${cause.message}${reach} Their expiries are not being watched until it is fixed.`,
    };
    if (cause.hint) finding.hint = cause.hint;
    findings.push(finding);
  }
  return {
    key: fleetAlertKey(homeTenantId),
    tenantId: homeTenantId,
    kind: 'monitor',
    assetId: FLEET_ASSET_ID,
    name: 'Expiry monitor (every tenant of the fleet)',
    severity: findings.length > 0 ? 'critical' : 'ok',
    findings,
    assessedAt: now,
  };
}

/**
 * The shared cause of a tenant's failed reads: when every one of them failed for a reason common
 * to all tenants, the first; undefined when any failure is the tenant's own (or nothing failed).
 */
export function sharedCauseOf(failures: readonly AppError[]): AppError | undefined {
  if (failures.length === 0 || failures.some((f) => f.sharedCause === undefined)) return undefined;
  return failures[0];
}
