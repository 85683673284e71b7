import type { EpochMs } from '../domain/assets';
import type { Severity } from '../domain/severity';

export type RenewalVia = 'http' | 'cli' | 'event';

export interface AuditCertificate {
  serialNumber: string;
  expiresAt: string;
  topic: string;
  appleId?: string;
}

/** One renewal attempt, success or refusal. Never holds a certificate body or a key. */
export interface AuditEntry {
  id: string;
  at: EpochMs;
  tenantId: string;
  /** `x-ms-client-principal-name` behind Easy Auth, else "function key"; the OS user for the CLI. */
  actor: string;
  /** How it was asked for: HTTP (the API, the page), the CLI, or a Key Vault event through Event Grid. */
  via: RenewalVia;
  secretName: string;
  secretVersion: string | null;
  dryRun: boolean;
  allowNewTopic: boolean;
  /** renewed | already_current | valid | an error code */
  outcome: string;
  message: string;
  old: AuditCertificate | null;
  new: AuditCertificate | null;
  correlationId: string;
  /** An approved renewal proposal (SPEC §16): its id and who proposed it (`actor` approved it). */
  proposalId?: string;
  proposedBy?: string;
}

/** An alert acknowledged or its acknowledgement ended by a person (SPEC §15): who, why, until when. */
export interface AcknowledgementAuditEntry {
  kind: 'acknowledgement';
  id: string;
  at: EpochMs;
  tenantId: string;
  /** As for a renewal: the Easy Auth principal, or the CLI's user. */
  actor: string;
  via: 'http' | 'cli';
  outcome: 'acknowledged' | 'unacknowledged';
  /** The alert key and how people know its asset. */
  key: string;
  assetName: string;
  /** The severity acknowledged. */
  severity: Severity;
  /** Until when reminders pause (for `unacknowledged`: until when they would have). */
  until: EpochMs;
  reason: string;
  message: string;
  correlationId: string;
}

/** One line of the audit trail: a renewal attempt (no `kind`, as written before acknowledgements existed) or an acknowledgement. */
export type AuditRecord = AuditEntry | AcknowledgementAuditEntry;

export function isAcknowledgementEntry(entry: AuditRecord): entry is AcknowledgementAuditEntry {
  return (entry as { kind?: unknown }).kind === 'acknowledgement';
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
  /** The most recent entries of one tenant, newest first. */
  latest(tenantId: string, count: number): Promise<AuditRecord[]>;
  /** The most recent entries of every tenant (at most `count` each, newest first) in one query: the status page's read. */
  latestByTenant(count: number): Promise<Map<string, AuditRecord[]>>;
}
