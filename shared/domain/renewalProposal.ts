import type { EpochMs } from './assets';
import { AppError } from './errors';
import { MS_PER_DAY } from './assessExpiry';
import { formatUtc } from './graphDateTime';
import { isOneLine } from './oneLine';
import type { CheckLine } from './renewal';

/**
 * A renewal proposal (SPEC §16): the renewal's dry run against one exact version of a certificate
 * secret, recorded, waiting for a person's approval. A proposal is state; approving it is the use
 * case `approveRenewal`, which runs the guarded renewal again against the same version.
 *
 * - `pending`: every check passed; it may be approved until it lapses;
 * - `refused`: a check refused the certificate (it is never uploaded: nothing to approve);
 * - `current`: Intune already has this certificate (nothing to approve);
 * - `approving`: an approval is running (until `approvingUntil`; after that it is pending again);
 * - `approved`: approved and the renewal done (uploaded and verified, or found already current);
 * - `failed`: approved, but the renewal then refused or failed in a way another try cannot fix;
 * - `rejected`: a person rejected it, with a reason;
 * - `superseded`: a newer version of the same secret was proposed.
 * "Lapsed" is not stored: a pending proposal lapses by itself at `lapsesAt` (7 days).
 */
export const PROPOSAL_STATUSES = ['pending', 'refused', 'current', 'approving', 'approved', 'failed', 'rejected', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
/** What a proposal is at an instant: its stored status, or `lapsed` once a pending one is past `lapsesAt`. */
export type ProposalState = ProposalStatus | 'lapsed';

/** A week: long enough for the approver to be back from a long weekend, short enough that Intune has not moved on. */
export const PROPOSAL_LIFETIME_MS = 7 * MS_PER_DAY;

/** Who proposes a renewal on a Key Vault event: no person (the event does not say who stored the secret). */
export const KEY_VAULT_EVENT_PROPOSER = 'Key Vault event';

export interface RenewalProposal {
  schema: 1;
  /** Short and stable: derived from the tenant, the secret and its version (the same version is one proposal). */
  id: string;
  tenantId: string;
  tenantName: string;
  secretName: string;
  secretVersion: string;
  /** The stored certificate, as far as it could be read (null when it could not). */
  serialNumber: string | null;
  topic: string | null;
  /** Intune's Apple ID and topic when proposed (a renewal keeps both). */
  appleId: string | null;
  intuneTopic: string | null;
  /** Intune's expiry when proposed → the stored certificate's (epoch ms; null when unknown). */
  oldExpiresAt: EpochMs | null;
  newExpiresAt: EpochMs | null;
  /** The dry run's outcome: `valid`, `already_current`, or the refusal's error code (SPEC §5). */
  outcome: string;
  /** The dry run's message, in §5's words (a refusal says why), and its hint. */
  message: string;
  hint?: string;
  /** Every check of the dry run, passed and failed. */
  checks: CheckLine[];
  proposedAt: EpochMs;
  proposedBy: string;
  /** True when a person proposed it (CLI, page): that person may not approve it. */
  proposedByPerson: boolean;
  lapsesAt: EpochMs;
  status: ProposalStatus;
  /** `approving`: the approval in flight keeps other approvals out until then (it may have died). */
  approvingUntil?: EpochMs;
  /** Who approved, rejected or is approving it, and when. */
  decidedBy?: string;
  decidedAt?: EpochMs;
  /** A rejection's reason. */
  reason?: string;
  /** An approval's end: the renewal's outcome (`renewed`, `already_current`, an error code) and message. */
  result?: { outcome: string; message: string };
  /** `superseded`: the proposal of the newer version. */
  supersededBy?: string;
}

/** The proposal's state at `now` (a pending one past its lifetime has lapsed; a dead approval's claim has ended). */
export function proposalStateAt(p: RenewalProposal, now: EpochMs): ProposalState {
  const open = p.status === 'pending' || (p.status === 'approving' && (p.approvingUntil ?? 0) <= now);
  if (open) return now >= p.lapsesAt ? 'lapsed' : 'pending';
  return p.status;
}

/**
 * The same person under the names the product gives them: an Entra user by UPN in any case, and the
 * person at this computer through the CLI ("user@host (CLI)") or the local page ("user@host (local)").
 */
export function personKey(name: string): string {
  return name
    .trim()
    .replace(/\s*\((?:cli|local)\)$/i, '')
    .toLowerCase();
}

function refuse(code: 'proposal_closed' | 'approver_is_proposer' | 'renewal_in_progress', message: string, hint?: string): never {
  throw new AppError(code, message, hint ? { hint } : {});
}

const day = (ms: EpochMs) => formatUtc(ms).slice(0, 10);

/**
 * Whether `approver` may approve the proposal now: it must be pending (passed every check, not
 * lapsed, not decided), and a person who proposed it may not approve it. Throws the refusal, saying why.
 */
export function assessApproval(p: RenewalProposal, approver: string, now: EpochMs): void {
  const state = proposalStateAt(p, now);
  const again = 'Store the renewed certificate in Key Vault again (a new version is a new proposal), or run "apns-monitor renewals propose".';
  switch (state) {
    case 'pending':
      break;
    case 'refused':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved: its checks refused the certificate (${p.outcome}): ${p.message}`, 'Do not upload this certificate; store the renewed one (same topic, same Apple ID) in Key Vault.');
    case 'current':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved: Intune already has this certificate (serial ${p.serialNumber ?? 'unknown'}); there is nothing to upload.`);
    case 'lapsed':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved: it lapsed on ${formatUtc(p.lapsesAt)} (${PROPOSAL_LIFETIME_MS / MS_PER_DAY} days after it was proposed).`, again);
    case 'rejected':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved: ${p.decidedBy ?? 'someone'} rejected it on ${p.decidedAt === undefined ? 'an unknown date' : day(p.decidedAt)}${p.reason ? ` ("${p.reason}")` : ''}.`, again);
    case 'superseded':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved: a newer version of ${p.secretName} was stored after it${p.supersededBy ? ` (proposal ${p.supersededBy})` : ''}.`, p.supersededBy ? `Approve ${p.supersededBy} instead if it passed its checks.` : undefined);
    case 'approved':
      return refuse('proposal_closed', `Proposal ${p.id} was already approved by ${p.decidedBy ?? 'someone'}${p.decidedAt === undefined ? '' : ` on ${formatUtc(p.decidedAt)}`}${p.result ? ` (${p.result.outcome})` : ''}; nothing more is uploaded.`);
    case 'failed':
      return refuse('proposal_closed', `Proposal ${p.id} cannot be approved again: its approval by ${p.decidedBy ?? 'someone'} ended with ${p.result?.outcome ?? 'an error'}: ${p.result?.message ?? ''}`.trim(), 'Check the certificate in the Intune admin center (or "apns-monitor check"); store the renewed certificate again to propose it anew.');
    case 'approving':
      return refuse('renewal_in_progress', `Proposal ${p.id} is being approved by ${p.decidedBy ?? 'someone'} right now; nothing more is uploaded.`, 'Wait for that approval to finish, then look at the proposal again ("apns-monitor renewals list").');
  }
  if (p.proposedByPerson && personKey(p.proposedBy) === personKey(approver)) {
    refuse('approver_is_proposer', `Proposal ${p.id} was proposed by ${p.proposedBy}: another person must approve it (four eyes on every upload).`, 'Ask a colleague with the ApnsMonitor.Operator role to approve it on the status page or with "apns-monitor renewals approve".');
  }
}

/** Whether the proposal may be rejected now: only one that is still open (pending or lapsed) can be. */
export function assessRejection(p: RenewalProposal, now: EpochMs): void {
  const state = proposalStateAt(p, now);
  if (state === 'pending' || state === 'lapsed') return;
  if (state === 'approving') refuse('renewal_in_progress', `Proposal ${p.id} is being approved by ${p.decidedBy ?? 'someone'} right now; it can no longer be rejected.`);
  refuse('proposal_closed', `Proposal ${p.id} is ${state}: only a proposal waiting for approval can be rejected.`);
}

const MAX_REASON_CHARS = 500;

/** A rejection's reason: one line of 1–500 characters a person typed (shown on the page and in the CLI). */
export function parseRejectionReason(value: unknown): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length < 1 || reason.length > MAX_REASON_CHARS || !isOneLine(reason)) throw new AppError('invalid_request', 'A rejection needs a reason: one line of 1 to 500 characters (--reason TEXT, "reason").');
  return reason;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/**
 * The same tenant, secret and version are one proposal, so a repeated Key Vault event finds it: the
 * id is a hash of the three (FNV-1a, 64 bits, its first 48 as 12 hex characters — short enough to
 * type, and a collision needs millions of proposals). Key Vault names are case-insensitive.
 */
export function proposalIdOf(tenantId: string, secretName: string, version: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(`${tenantId}\n${secretName}\n${version}`.toLowerCase())) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0').slice(0, 12);
}

const PROPOSAL_ID = /^[0-9a-f]{12}$/;

/** A proposal id as a person gives it (the 12 hexadecimal characters `renewals list` shows), or `invalid_request`. */
export function parseProposalId(value: unknown): string {
  const id = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!PROPOSAL_ID.test(id)) throw new AppError('invalid_request', 'A proposal id is the 12 hexadecimal characters "apns-monitor renewals list" shows.');
  return id;
}

/**
 * Structural check of a stored proposal (throws `state_unreadable`): enough to refuse what is not
 * ours, never repairing it silently.
 */
export function parseRenewalProposal(value: unknown, where: string): RenewalProposal {
  const fail = (why: string): never => {
    throw new AppError('state_unreadable', `The renewal proposal in ${where} is unreadable: ${why}. It was left as it is.`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('it is not a JSON object');
  const p = value as Record<string, unknown>;
  if (p.schema !== 1) return fail(`unknown schema ${JSON.stringify(p.schema)}`);
  for (const field of ['id', 'tenantId', 'secretName', 'secretVersion', 'outcome', 'proposedBy']) if (typeof p[field] !== 'string') fail(`${field} is missing`);
  if (!PROPOSAL_STATUSES.includes(p.status as ProposalStatus)) fail(`its status ${JSON.stringify(p.status)} is unknown`);
  if (typeof p.proposedAt !== 'number' || typeof p.lapsesAt !== 'number') fail('its dates are missing');
  if (!Array.isArray(p.checks)) fail('its checks are missing');
  return value as RenewalProposal;
}
