import type { EpochMs } from '../domain/assets';

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

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The most recent entries of one tenant, newest first. */
  latest(tenantId: string, count: number): Promise<AuditEntry[]>;
  /** The most recent entries of every tenant (at most `count` each, newest first) in one query: the status page's read. */
  latestByTenant(count: number): Promise<Map<string, AuditEntry[]>>;
}
