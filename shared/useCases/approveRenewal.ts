import { AppError } from '../domain/errors';
import { assessApproval, assessRejection, type RenewalProposal } from '../domain/renewalProposal';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { ProposalStore, VersionedProposal } from '../ports/proposalStore';
import { renewCertificate, type RenewalResult, type RenewDeps, type RenewOptions } from './renewCertificate';
import { retryOnConflict } from './retryOnConflict';

export interface DecideDeps {
  proposals: ProposalStore;
  clock: Clock;
  logger: Logger;
  /**
   * The guarded renewal for the proposal's tenant (its own Graph sign-in), built only once the
   * approval is allowed: a refused approval reads nothing else.
   */
  renewalFor(proposal: RenewalProposal): Promise<{ deps: RenewDeps; options: RenewOptions }>;
}

export interface ApprovalOutcome {
  proposal: RenewalProposal;
  /** The guarded renewal's result: renewed (uploaded once, verified, announced), already current, or why not. */
  renewal: RenewalResult;
}

/**
 * How long an approval keeps others out of its proposal: far longer than the renewal it runs (its
 * lock's lease is 5 minutes); an approval that died gives the proposal back after this.
 */
const APPROVAL_LEASE_MS = 10 * 60_000;
const MAX_CONFLICT_RETRIES = 3;

async function load(store: ProposalStore, id: string): Promise<VersionedProposal> {
  const found = await store.get(id);
  if (!found) throw new AppError('proposal_not_found', `There is no renewal proposal ${id}.`, { hint: 'List them with "apns-monitor renewals list" (or see the status page).' });
  return found;
}

/**
 * Decides on a proposal with optimistic concurrency: `decide` checks the proposal as stored now and
 * returns its next state; on a concurrent change it reads it again and decides again (so of two
 * approvals, the second sees the first's claim and is refused).
 */
async function update(store: ProposalStore, id: string, decide: (p: RenewalProposal) => RenewalProposal): Promise<VersionedProposal> {
  return retryOnConflict(MAX_CONFLICT_RETRIES, async () => {
    const { proposal, version } = await load(store, id);
    const next = decide(proposal);
    return { proposal: next, version: await store.save(next, version) };
  });
}

/**
 * Approves a renewal proposal (SPEC §16): only a pending one (passed, not lapsed, not decided), never
 * by the person who proposed it. The approval claims the proposal, then runs the guarded renewal of
 * §5 — every check again, against the same secret version, then lease, fence, upload, verify, audit
 * (approver and proposer) and the `renewed` message — the one upload path there is. Approving twice,
 * or two people at once, uploads once: the second finds the first's claim or its result.
 */
export async function approveRenewal(deps: DecideDeps, id: string, approver: string): Promise<ApprovalOutcome> {
  const now = deps.clock.now();
  const claimed = await update(deps.proposals, id, (p) => {
    assessApproval(p, approver, now);
    const { result: _previous, ...rest } = p;
    return { ...rest, status: 'approving', decidedBy: approver, decidedAt: now, approvingUntil: now + APPROVAL_LEASE_MS };
  });
  const proposal = claimed.proposal;
  deps.logger.info(`Proposal ${id} approved by ${approver}: renewing with ${proposal.secretName} version ${proposal.secretVersion}.`);
  let renewal: RenewalResult;
  try {
    const { deps: renewDeps, options } = await deps.renewalFor(proposal);
    renewal = await renewCertificate(renewDeps, { secretName: proposal.secretName, secretVersion: proposal.secretVersion }, { ...options, actor: approver, proposal: { id, proposedBy: proposal.proposedBy } });
  } catch (error) {
    // The renewal could not even start (configuration, sign-in): the proposal waits again.
    await settle(deps, id, claimed, (p) => reopened(p));
    throw error;
  }
  const settled = await settle(deps, id, claimed, (p) => {
    const { approvingUntil: _lease, ...rest } = p;
    if (renewal.ok) return { ...rest, status: 'approved', result: { outcome: renewal.code, message: renewal.message } };
    const e = renewal.error;
    const result = { outcome: e.code, message: e.message };
    // Worth another approval later (another renewal held the lock, Key Vault or Intune unreachable):
    // it waits again. Anything else (a check refused now, the upload not verified) ends it.
    if (e.retriable || e.code === 'renewal_in_progress') return { ...reopened(p), result };
    return { ...rest, status: 'failed', result };
  });
  return { proposal: settled, renewal };
}

function reopened(p: RenewalProposal): RenewalProposal {
  const { approvingUntil: _lease, decidedBy: _by, decidedAt: _at, ...rest } = p;
  return { ...rest, status: 'pending' };
}

/** Records the approval's end on the proposal it claimed (loud, never fatal: the renewal is audited anyway). */
async function settle(deps: DecideDeps, id: string, claimed: VersionedProposal, next: (p: RenewalProposal) => RenewalProposal): Promise<RenewalProposal> {
  const proposal = next(claimed.proposal);
  try {
    await deps.proposals.save(proposal, claimed.version);
  } catch (error) {
    deps.logger.error(`The end of the approval of proposal ${id} could not be recorded (${error instanceof AppError ? error.message : 'unexpected error'}); the renewal audit trail has it.`);
  }
  return proposal;
}

/** Rejects a proposal that waits for approval, with the person's reason: it can no longer be approved. */
export async function rejectRenewal(deps: Pick<DecideDeps, 'proposals' | 'clock' | 'logger'>, id: string, person: string, reason: string): Promise<RenewalProposal> {
  const now = deps.clock.now();
  const { proposal } = await update(deps.proposals, id, (p) => {
    assessRejection(p, now);
    const { approvingUntil: _lease, ...rest } = p;
    return { ...rest, status: 'rejected', decidedBy: person, decidedAt: now, reason };
  });
  deps.logger.info(`Proposal ${id} rejected by ${person}: ${reason}`);
  return proposal;
}

