import type { Acknowledgement } from '../domain/acknowledgement';
import type { Assessment, Finding } from '../domain/assessment';
import { assessConsent, type ConsentState } from '../domain/consentStatus';
import { formatUtc } from '../domain/graphDateTime';
import type { Severity } from '../domain/severity';
import type { TenantSource, WatchedTenant } from '../domain/tenantRegistry';
import { emptyTenantState, type TenantState } from '../domain/tenantState';
import { isAcknowledgementEntry, type AcknowledgementAuditEntry, type AuditEntry, type AuditLog, type AuditRecord } from '../ports/auditLog';
import type { ProposalStore } from '../ports/proposalStore';
import type { StateStore } from '../ports/stateStore';
import { listProposals, type ProposalView } from './listProposals';

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
  /** Who acknowledged its alert, why and until when (SPEC §15); null when nobody did (or it ended). */
  acknowledgement: AcknowledgementView | null;
}

/** An acknowledgement as JSON: reminders at `severity` pause until `until` (ISO 8601 UTC). */
export interface AcknowledgementView {
  by: string;
  reason: string;
  severity: Severity;
  at: string;
  until: string;
}

export type AcknowledgementAuditView = Omit<AcknowledgementAuditEntry, 'at' | 'until'> & { at: string; until: string };

export type AuditEntryView = Omit<AuditEntry, 'at'> & { at: string };

/** Whether the product can read the tenant (SPEC §15 "consent status"), from the last run's record. */
export interface ConsentView {
  state: ConsentState;
  /** When the last run ran (null: never). */
  checkedAt: string | null;
  /** The worst severity over its assets when the last run read Intune (null otherwise). */
  worstSeverity: Severity | null;
  /** The Graph permissions the last run lacked. */
  missingPermissions: string[];
  /** The admin-consent link that fixes it (consent, or in a fleet a permission added since): null when none applies. */
  consentUrl: string | null;
  errorCode: string | null;
  /** The last run's raw error text (shown behind a "details" disclosure). */
  message: string | null;
}

export interface StatusView {
  tenantId: string;
  /** How people know the tenant (`APNS_TENANT_NAME` or the fleet entry's display name). */
  tenantName: string;
  /** Where it is watched from: `APNS_TENANTS` (or `APNS_TENANT_ID`), or the registry (`apns-monitor tenants add`). */
  source: TenantSource;
  /** Its routes (SPEC §15): the customer's own destinations besides the global channels. */
  routes: string[];
  /** Can it be read: consent, permission, not checked yet. */
  consent: ConsentView;
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
  /** Acknowledgements made and ended by people, newest first, from the same audit trail. */
  acknowledgements: AcknowledgementAuditView[];
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

/** An acknowledgement as JSON (the status API, `check --json`). */
export function acknowledgementView(ack: Acknowledgement): AcknowledgementView {
  return { by: ack.by, reason: ack.reason, severity: ack.severity, at: formatUtc(ack.at), until: formatUtc(ack.until) };
}

/** One assessment as JSON for people and tools (the status API and `check --json`), with its acknowledgement. */
export function assetStatus(a: Assessment, ack?: Acknowledgement): AssetStatus {
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
    acknowledgement: ack ? acknowledgementView(ack) : null,
  };
}

/** The admin-consent link of a tenant (in a fleet), for the consent status. */
export type ConsentUrlOf = (tenantId: string) => string;

/** Who a status is about: a watched tenant (the run's config), or just a name. */
type StatusTenant = Pick<WatchedTenant, 'name' | 'source' | 'routes'>;

function consentView(state: TenantState, consentUrlOf: ConsentUrlOf | undefined): ConsentView {
  const consent = assessConsent(state.lastRun);
  const fixable = consent.state === 'consent_missing' || consent.state === 'permission_missing';
  return {
    state: consent.state,
    checkedAt: consent.checkedAt === null ? null : formatUtc(consent.checkedAt),
    worstSeverity: consent.worstSeverity,
    missingPermissions: consent.missingPermissions,
    consentUrl: fixable && consentUrlOf ? consentUrlOf(state.tenantId) : null,
    errorCode: consent.errorCode,
    message: consent.message,
  };
}

/** The last assessment per asset and what each channel was told, as stored by the last run. */
export function statusOf(state: TenantState, tenant: StatusTenant = { name: state.tenantId }, consentUrlOf?: ConsentUrlOf): StatusView {
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
    tenantName: tenant.name,
    source: tenant.source ?? 'setting',
    routes: [...(tenant.routes ?? [])],
    consent: consentView(state, consentUrlOf),
    lastSuccessfulCheckAt: state.lastSuccessAt === undefined ? null : formatUtc(state.lastSuccessAt),
    lastRun: run
      ? { at: formatUtc(run.at), ok: run.ok, worstSeverity: run.worstSeverity, errorCode: run.errorCode ?? null, message: run.message ?? null }
      : null,
    assets: state.assessments.map((a) => assetStatus(a, state.acks?.[a.key])),
    openAlerts,
    pendingDeliveries: pending,
    lastRenewal: null,
    renewals: [],
    acknowledgements: [],
    proposals: [],
  };
}

const AUDIT_ENTRIES_SHOWN = 20;

/** The audit trail into the view: renewal attempts, and acknowledgements, each newest first. */
function withAudit(view: StatusView, records: readonly AuditRecord[]): StatusView {
  view.renewals = records.filter((r): r is AuditEntry => !isAcknowledgementEntry(r)).map((r) => ({ ...r, at: formatUtc(r.at) }));
  view.lastRenewal = view.renewals[0] ?? null;
  view.acknowledgements = records.filter(isAcknowledgementEntry).map((r) => ({ ...r, at: formatUtc(r.at), until: formatUtc(r.until) }));
  return view;
}

/** Decided proposals shown per tenant besides the open ones (the audit trail keeps every renewal). */
const DECIDED_PROPOSALS_SHOWN = 5;

/** `mine`: this tenant's proposals, newest first. */
function withProposals(view: StatusView, mine: readonly ProposalView[]): StatusView {
  const isOpen = (p: ProposalView) => p.state === 'pending' || p.state === 'approving';
  view.proposals = [...mine.filter(isOpen), ...mine.filter((p) => !isOpen(p)).slice(0, DECIDED_PROPOSALS_SHOWN)].sort((a, b) => b.proposedAt.localeCompare(a.proposedAt));
  return view;
}

/** Every proposal by tenant, read once (the store keeps them all; a fleet page must not scan them per tenant). */
async function proposalsByTenant(proposals: { store: ProposalStore; now: number } | undefined): Promise<Map<string, ProposalView[]>> {
  const byTenant = new Map<string, ProposalView[]>();
  for (const view of proposals ? await listProposals(proposals.store, proposals.now) : []) {
    const mine = byTenant.get(view.tenantId);
    if (mine) mine.push(view);
    else byTenant.set(view.tenantId, [view]);
  }
  return byTenant;
}

export async function getStatus(store: StateStore, tenant: WatchedTenant, audit?: AuditLog, consentUrlOf?: ConsentUrlOf, proposals?: { store: ProposalStore; now: number }): Promise<StatusView> {
  const [{ state }, renewals, byTenant] = await Promise.all([store.load(tenant.id), audit ? audit.latest(tenant.id, AUDIT_ENTRIES_SHOWN) : Promise.resolve([]), proposalsByTenant(proposals)]);
  return withProposals(withAudit(statusOf(state, tenant, consentUrlOf), renewals), byTenant.get(tenant.id) ?? []);
}

/**
 * Every watched tenant's status with one read of the state and one of the audit trail (a table
 * scan each, or the files read once), not one request per tenant per record: a page view of 1,000
 * tenants costs what one of 10 does. A tenant never checked yet shows as such.
 */
export async function getFleetStatus(
  store: StateStore,
  tenants: readonly WatchedTenant[] | Promise<readonly WatchedTenant[]>,
  audit?: AuditLog,
  consentUrlOf?: ConsentUrlOf,
  proposals?: { store: ProposalStore; now: number },
): Promise<StatusView[]> {
  // The tenants may still be read (the fleet's registry): at the same time as the state, the audit and the proposals.
  const [watched, states, renewals, proposalsOf] = await Promise.all([
    tenants,
    store.loadAll(),
    audit ? audit.latestByTenant(AUDIT_ENTRIES_SHOWN) : Promise.resolve(new Map<string, AuditRecord[]>()),
    proposalsByTenant(proposals),
  ]);
  const byTenant = new Map(states.map((s) => [s.state.tenantId, s.state]));
  return watched.map((t) => withProposals(withAudit(statusOf(byTenant.get(t.id) ?? emptyTenantState(t.id), t, consentUrlOf), renewals.get(t.id) ?? []), proposalsOf.get(t.id) ?? []));
}
