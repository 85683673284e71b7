import { alertKey, type EpochMs, type MonitoredKind } from '../assets';
import { finishAssessment, type Assessment, type Finding } from '../assessment';
import { syncFinding, type SyncAge } from '../assessSync';
import type { KindContext } from './kindSpec';

/** The asset id of a connector kind the tenant does not use at all (an empty list, an unbound singleton). */
export const NOT_IN_USE_ID = 'not-in-use';

/** Where the Intune admin center lists Intune's connectors and tokens. */
export const CONNECTORS_AND_TOKENS = 'Tenant administration > Connectors and tokens';

export interface ConnectorFacts {
  kind: MonitoredKind;
  assetId: string;
  name: string;
  /** What its own state says (inactive, unresponsive, …); the sync check adds its own. */
  findings?: readonly Finding[];
  /** When it last synced (or was heard from), how the message says it, and a tighter limit of its own. */
  sync?: { what: string; verb: string; at: EpochMs | null; criticalAfter?: SyncAge['criticalAfter'] };
  /** The date that matters (a partner's non-compliance date). */
  expiresAt?: EpochMs | null;
  daysRemaining?: number;
  /** Shown as the last sync without being checked against the thresholds. */
  lastSyncAt?: EpochMs | null;
}

/** One connector's assessment: its own findings plus the sync-age check (the worst decides its severity). */
export function connectorAssessment(ctx: KindContext, facts: ConnectorFacts): Assessment {
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
      ...(facts.expiresAt == null ? {} : { expiresAt: facts.expiresAt }),
      ...(facts.daysRemaining === undefined ? {} : { daysRemaining: facts.daysRemaining }),
      ...(lastSyncAt == null ? {} : { lastSyncAt }),
      assessedAt: ctx.now,
    },
    findings,
  );
}

/** A connector (or a whole kind) the tenant does not use: "not in use" on the page, never an alert. */
export function notInUse(ctx: KindContext, kind: MonitoredKind, assetId: string, name: string): Assessment {
  return { ...connectorAssessment(ctx, { kind, assetId, name }), inUse: false };
}

/**
 * The `assess` and `absent` of a list of connectors: each connector on its own; no connector at all
 * (an empty list, or 404) is one "not in use" row for the kind.
 */
export function eachConnector<T>(kind: MonitoredKind, whenNone: string, assessOne: (item: T, ctx: KindContext) => Assessment) {
  const none = (ctx: KindContext): Assessment[] => [notInUse(ctx, kind, NOT_IN_USE_ID, whenNone)];
  return {
    assess: (items: readonly T[], ctx: KindContext): Assessment[] => (items.length === 0 ? none(ctx) : items.map((item) => assessOne(item, ctx))),
    absent: none,
  };
}
