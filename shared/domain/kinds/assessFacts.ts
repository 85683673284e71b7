import { alertKey, type EpochMs, type MonitoredKind } from '../assets';
import { finishAssessment, type Assessment, type Finding } from '../assessment';
import { syncFinding, type SyncAge } from '../assessSync';
import type { KindContext } from './kindSpec';

/** What a kind knows of one asset, from which its assessment is made the same way for every kind. */
export interface AssetFacts {
  kind: MonitoredKind;
  assetId: string;
  name: string;
  /** What its own state says (inactive, unresponsive, …); the sync check adds its own. */
  findings?: readonly Finding[];
  /** When it last synced (or was heard from), how the message says it, and a tighter limit of its own. */
  sync?: { what: string; verb: string; at: EpochMs | null; criticalAfter?: SyncAge['criticalAfter'] };
  appleId?: string;
  /** The date that matters (an expiry, a partner's non-compliance date). */
  expiresAt?: EpochMs | null;
  daysRemaining?: number;
  /** Shown as the last sync without being checked against the thresholds. */
  lastSyncAt?: EpochMs | null;
}

/** One asset's assessment: its own findings plus the sync-age check (the worst decides its severity). */
export function assessFacts(ctx: KindContext, facts: AssetFacts): Assessment {
  const { kind, assetId, name, sync } = facts;
  const findings = [...(facts.findings ?? [])];
  if (sync) {
    const stale = syncFinding(sync.what, sync.verb, { at: sync.at, readAt: ctx.readAt, policy: ctx.policy, ...(sync.criticalAfter ? { criticalAfter: sync.criticalAfter } : {}) });
    if (stale) findings.push(stale);
  }
  const lastSyncAt = sync ? sync.at : facts.lastSyncAt;
  return finishAssessment(
    {
      key: alertKey(ctx.tenantId, kind, assetId),
      tenantId: ctx.tenantId,
      kind,
      assetId,
      name,
      ...(facts.appleId === undefined ? {} : { appleId: facts.appleId }),
      ...(facts.expiresAt == null ? {} : { expiresAt: facts.expiresAt }),
      ...(facts.daysRemaining === undefined ? {} : { daysRemaining: facts.daysRemaining }),
      ...(lastSyncAt == null ? {} : { lastSyncAt }),
      assessedAt: ctx.now,
    },
    findings,
  );
}
