import type { EpochMs } from './assets';
import { BASE_READ_PERMISSION } from './kinds/kindSpec';
import type { Severity } from './severity';
import type { RunRecord } from './tenantState';

/**
 * Whether the product can read a tenant, at a glance (SPEC §15 "consent status"), decided from the
 * last run's record only (no Graph call): what an MSP looks at first for 300 tenants.
 * - `read`: the last run read Intune (it may have failed afterwards, e.g. a channel refused);
 * - `consent_missing`: Entra says the customer's admin has not consented to the fleet's app;
 * - `permission_missing`: Graph refused a read (403) for a permission (`missingPermissions`);
 *   the rest may have been read (a further permission's warning) or not (the base one);
 * - `unreadable`: the last run could not read Intune for another reason (sign-in, throttling, network…);
 * - `not_checked`: no run has checked it yet (just added).
 */
export type ConsentState = 'read' | 'consent_missing' | 'permission_missing' | 'unreadable' | 'not_checked';

export interface ConsentStatus {
  state: ConsentState;
  /** When the last run ran (null: never). */
  checkedAt: EpochMs | null;
  /** The worst severity over the tenant's assets, when the last run read Intune (null otherwise). */
  worstSeverity: Severity | null;
  /** Which Graph permissions the last run lacked, each once. */
  missingPermissions: string[];
  /** The last run's error code (`graph_consent_missing`, …), null when it succeeded. */
  errorCode: string | null;
  /** The last run's error text as it was recorded: for a "details" disclosure, never the first thing shown. */
  message: string | null;
}

// The failures of reading Intune itself; anything else (a channel, the state) came after a good read.
const READ_FAILURE = /^graph_|^check_given_up$/;

export function assessConsent(run: RunRecord | undefined): ConsentStatus {
  if (!run) return { state: 'not_checked', checkedAt: null, worstSeverity: null, missingPermissions: [], errorCode: null, message: null };
  const code = run.errorCode ?? null;
  const readFailed = code !== null && READ_FAILURE.test(code);
  // A record from before `missingPermissions` was kept: a refused read is the base permission's (a
  // further permission's refusal never failed a run).
  const missing = run.missingPermissions ?? (code === 'graph_permission_denied' ? [BASE_READ_PERMISSION] : []);
  const state: ConsentState =
    code === 'graph_consent_missing' ? 'consent_missing' : missing.length > 0 ? 'permission_missing' : readFailed ? 'unreadable' : 'read';
  return {
    state,
    checkedAt: run.at,
    worstSeverity: readFailed ? null : run.worstSeverity,
    missingPermissions: state === 'consent_missing' ? [] : missing,
    errorCode: code,
    message: run.message ?? null,
  };
}

/** A consent status in a few words, the same in `tenants list` and on the status page (no time: each says it its way). */
export function consentHeadline(status: Pick<ConsentStatus, 'state' | 'missingPermissions' | 'errorCode'>): string {
  switch (status.state) {
    case 'read':
      return 'consented and read';
    case 'consent_missing':
      return 'admin consent is missing';
    case 'permission_missing':
      return `permission missing: ${status.missingPermissions.join(', ')}`;
    case 'unreadable':
      return `could not be read (${status.errorCode ?? 'error'})`;
    case 'not_checked':
      return 'not checked yet';
  }
}
