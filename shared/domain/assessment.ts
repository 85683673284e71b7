import type { AssetKind, EpochMs } from './assets';
import { severityRank, worstOf, type Severity } from './severity';

/** Why an asset has its severity. `cause` of a delivered alert decides how it may resolve. */
export type FindingCode =
  | 'expiry'
  | 'not_configured'
  | 'upload_failed'
  | 'vpp_state'
  | 'vpp_sync_failed'
  /** The last successful sync (or heartbeat, or connection) is older than the sync thresholds. */
  | 'sync_stale'
  /** Intune reports a sync error (ADE `lastSyncErrorCode`, Managed Google Play `lastAppSyncStatus`, Autopilot `syncStatus`). */
  | 'sync_error'
  /** A connector's own state says it does not work (inactive, unresponsive, unbinding, disconnected, terminated). */
  | 'connector_state'
  /** A partner's date when Intune marks its devices non-compliant is set (SPEC §14). */
  | 'partner_deadline'
  /** Intune's own connector status is worse than this monitor's own check (or covers a connector it does not model). */
  | 'intune_verdict'
  /** A read that needs a further Graph permission was refused (403): a warning, the rest is still watched. */
  | 'permission_missing'
  | 'read_failed'
  /** Graph returned the item but not a readable expiry: reported on the item, never hiding its siblings. */
  | 'unreadable'
  /** The monitor's own state could not be read or written: alerts went out without de-duplication. */
  | 'state_failed'
  /** A channel's receiver answered 410 Gone: that channel is off until its setting changes. */
  | 'channel_gone'
  /** A fleet run stopped on a cause every tenant shares (the sign-in, Graph): the fleet's own alert. */
  | 'shared_cause';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One sentence a person can act on; never a secret. */
  message: string;
  hint?: string;
  /** The alert's title when this finding leads it (else it is derived from the code and asset). */
  title?: string;
}

/** The verdict on one asset at one instant: plain data, stored for `GET /api/apns/status`. */
export interface Assessment {
  key: string;
  tenantId: string;
  kind: AssetKind;
  assetId: string;
  /** Human label: "Apple MDM push certificate", "VPP token \"Contoso\"", … */
  name: string;
  severity: Severity;
  /** Worst first. Empty when ok. */
  findings: Finding[];
  appleId?: string;
  topic?: string;
  serialNumber?: string;
  expiresAt?: EpochMs;
  daysRemaining?: number;
  /** When it last synced with its service (Apple, Google, the connector's server), when Intune says. */
  lastSyncAt?: EpochMs;
  assessedAt: EpochMs;
  /** Set on a stored assessment whose kind could not be read on the latest run (last known value). */
  stale?: boolean;
  /** `false` for a connector the tenant does not use: shown as "not in use", never an alert (SPEC §14). */
  inUse?: false;
}

/** The finding that decided the severity (the first, since findings are sorted worst first). */
export function mainCause(assessment: Assessment): FindingCode | undefined {
  return assessment.findings[0]?.code;
}

/** An assessment from its findings: only those that alert are kept, worst first, and decide the severity. */
export function finishAssessment(base: Omit<Assessment, 'severity' | 'findings'>, findings: readonly Finding[]): Assessment {
  const alerting = findings.filter((f) => f.severity !== 'ok');
  alerting.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { ...base, severity: worstOf(alerting.map((f) => f.severity)), findings: alerting };
}

/** An asset as a message describes it: what the channels, next steps and links need of it. */
export interface AlertAsset {
  kind: AssetKind;
  assetId: string;
  name: string;
  appleId?: string;
  topic?: string;
  serialNumber?: string;
  expiresAt?: EpochMs;
  daysRemaining?: number;
  lastSyncAt?: EpochMs;
}
