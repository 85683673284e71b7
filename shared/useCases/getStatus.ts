import type { Assessment, Finding } from '../domain/assessment';
import { formatUtc } from '../domain/graphDateTime';
import type { Severity } from '../domain/severity';
import { emptyTenantState, type TenantState } from '../domain/tenantState';
import type { AuditEntry, AuditLog } from '../ports/auditLog';
import type { ProposalStore } from '../ports/proposalStore';
import type { StateStore } from '../ports/stateStore';
import { proposalView, type ProposalView } from './listProposals';

export interface AssetStatus {
  key: string;
  kind: string;
  name: string;
  severity: Severity;
  expiresAt: string | null;
  daysRemaining: number | null;
  appleId: string | null;
  topic: string | null;
  serialNumber: string | null;
  /** When it last synced with its service, as Intune reports it (null: unknown or never). */
  lastSyncAt: string | null;
  findings: Finding[];
  assessedAt: string;
  /** True when this is the last known value (its kind could not be read on the latest run). */
  stale: boolean;
  /** False for a connector the tenant does not use: "not in use", never an alert (SPEC §14). */
  inUse: boolean;
}

export type AuditEntryView = Omit<AuditEntry, 'at'> & { at: string };

export interface StatusView {
  tenantId: string;
  /** How people know the tenant (`APNS_TENANT_NAME` or the fleet entry's display name). */
  tenantName: string;
  /** When the last run that read Intune and delivered everything finished (null: never). */
  lastSuccessfulCheckAt: string | null;
  lastRun: { at: string; ok: boolean; worstSeverity: Severity; errorCode: string | null; message: string | null } | null;
  assets: AssetStatus[];
  /** Alert key → channel → the severity that channel was last told about. */
  openAlerts: Record<string, Record<string, Severity>>;
  /** Messages waiting for a channel that refused them (retried on the next run). */
  pendingDeliveries: number;
  /** The last renewal attempt (success or refusal), from the audit trail. */
  lastRenewal: AuditEntryView | null;
  /** The renewal audit trail, newest first (at most 20 entries). */
  renewals: AuditEntryView[];
  /** Renewal proposals from Key Vault (SPEC §16), newest first: every open one, and the last few decided (absent: not read). */
  proposals?: ProposalView[];
}

/**
 * Every tenant's status, as the status page and `GET /api/apns/status` show it. Rendered from
 * stored state only: no Graph call per view.
 */
export interface FleetStatusView {
  generatedAt: string;
  /** True when `APNS_TENANTS` is set (several tenants through the multi-tenant app). */
  fleet: boolean;
  homeTenantId: string;
  tenants: StatusView[];
}

/** One assessment as JSON for people and tools (the status API and `check --json`). */
export function assetStatus(a: Assessment): AssetStatus {
  return {
    key: a.key,
    kind: a.kind,
    name: a.name,
    severity: a.severity,
    expiresAt: a.expiresAt === undefined ? null : formatUtc(a.expiresAt),
    daysRemaining: a.daysRemaining ?? null,
    appleId: a.appleId ?? null,
    topic: a.topic ?? null,
    serialNumber: a.serialNumber ?? null,
    lastSyncAt: a.lastSyncAt === undefined ? null : formatUtc(a.lastSyncAt),
    findings: a.findings,
    assessedAt: formatUtc(a.assessedAt),
    stale: a.stale === true,
    inUse: a.inUse !== false,
  };
}

/** The last assessment per asset and what each channel was told, as stored by the last run. */
export function statusOf(state: TenantState, tenantName: string = state.tenantId): StatusView {
  const openAlerts: StatusView['openAlerts'] = {};
  let pending = 0;
  for (const [key, byChannel] of Object.entries(state.channels)) {
    for (const [channel, record] of Object.entries(byChannel)) {
      if (record?.mark) (openAlerts[key] ??= {})[channel] = record.mark.severity;
      if (record?.claim) pending++;
    }
  }
  for (const entry of state.outbox) pending += Object.keys(entry.pending).length;
  const run = state.lastRun;
  return {
    tenantId: state.tenantId,
    tenantName,
    lastSuccessfulCheckAt: state.lastSuccessAt === undefined ? null : formatUtc(state.lastSuccessAt),
    lastRun: run
      ? { at: formatUtc(run.at), ok: run.ok, worstSeverity: run.worstSeverity, errorCode: run.errorCode ?? null, message: run.message ?? null }
      : null,
    assets: state.assessments.map(assetStatus),
    openAlerts,
    pendingDeliveries: pending,
    lastRenewal: null,
    renewals: [],
    proposals: [],
  };
}

const AUDIT_ENTRIES_SHOWN = 20;

function withRenewals(view: StatusView, renewals: readonly AuditEntry[]): StatusView {
  view.renewals = renewals.map((r) => ({ ...r, at: formatUtc(r.at) }));
  view.lastRenewal = view.renewals[0] ?? null;
  return view;
}

/** Decided proposals shown per tenant besides the open ones (the audit trail keeps every renewal). */
const DECIDED_PROPOSALS_SHOWN = 5;

function withProposals(view: StatusView, all: readonly ProposalView[]): StatusView {
  const mine = all.filter((p) => p.tenantId === view.tenantId);
  const open = mine.filter((p) => p.state === 'pending' || p.state === 'approving');
  view.proposals = [...open, ...mine.filter((p) => !open.includes(p)).slice(0, DECIDED_PROPOSALS_SHOWN)].sort((a, b) => b.proposedAt.localeCompare(a.proposedAt));
  return view;
}

async function proposalsOf(proposals: { store: ProposalStore; now: number } | undefined): Promise<ProposalView[]> {
  return proposals ? (await proposals.store.list()).map((v) => proposalView(v.proposal, proposals.now)) : [];
}

export async function getStatus(store: StateStore, tenant: { id: string; name: string }, audit?: AuditLog, proposals?: { store: ProposalStore; now: number }): Promise<StatusView> {
  const [{ state }, renewals, open] = await Promise.all([store.load(tenant.id), audit ? audit.latest(tenant.id, AUDIT_ENTRIES_SHOWN) : Promise.resolve([]), proposalsOf(proposals)]);
  return withProposals(withRenewals(statusOf(state, tenant.name), renewals), open);
}

/**
 * Every watched tenant's status with one read of the state and one of the audit trail (a table
 * scan each, or the files read once), not one request per tenant per record: a page view of 1,000
 * tenants costs what one of 10 does. A tenant never checked yet shows as such.
 */
export async function getFleetStatus(store: StateStore, tenants: readonly { id: string; name: string }[], audit?: AuditLog, proposals?: { store: ProposalStore; now: number }): Promise<StatusView[]> {
  const [states, renewals, all] = await Promise.all([store.loadAll(), audit ? audit.latestByTenant(AUDIT_ENTRIES_SHOWN) : Promise.resolve(new Map<string, AuditEntry[]>()), proposalsOf(proposals)]);
  const byTenant = new Map(states.map((s) => [s.state.tenantId, s.state]));
  return tenants.map((t) => withProposals(withRenewals(statusOf(byTenant.get(t.id) ?? emptyTenantState(t.id), t.name), renewals.get(t.id) ?? []), all));
}
