import { AppError } from '../domain/errors';
import { buildProposalEvent } from '../domain/renewalEvents';
import { PROPOSAL_LIFETIME_MS, proposalIdOf, proposalStateAt, type RenewalProposal } from '../domain/renewalProposal';
import type { AuditCertificate } from '../ports/auditLog';
import type { ProposalStore } from '../ports/proposalStore';
import type { ChannelReport } from './deliverAll';
import { announce, renewCertificate, type RenewalResult, type RenewDeps, type RenewOptions } from './renewCertificate';

export interface ProposeDeps {
  /** The renewal's own dependencies: a proposal is its dry run. */
  renew: RenewDeps;
  proposals: ProposalStore;
  /** The status page's address (`APNS_STATUS_PAGE_URL`): the messages link to it when known. */
  statusPageUrl: string | undefined;
}

export interface ProposeInput {
  secretName: string;
  /** The version a Key Vault event names; a person may leave it out: the latest, as the dry run reads it. */
  secretVersion?: string;
  /** Who proposes: `Key Vault event`, or a person (CLI, page), who then may not approve it. */
  proposedBy: string;
  person: boolean;
}

export interface ProposeOutcome {
  /** False when this version was proposed before (a repeated event): nothing was run or sent again. */
  created: boolean;
  proposal: RenewalProposal;
  /** What the channels did with the proposal's message. */
  notifications: ChannelReport[];
}

const epochOf = (c: AuditCertificate | null | undefined): number | null => {
  const ms = c ? Date.parse(c.expiresAt) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
};

/** What the dry run found, as a proposal (pending, refused or already current). */
function proposalOf(id: string, input: ProposeInput & { secretVersion: string }, options: RenewOptions, result: RenewalResult, now: number): RenewalProposal {
  const intune = result.before;
  const candidate = result.ok ? (result.code === 'valid' ? result.after : result.before) : result.candidate;
  const base = {
    schema: 1 as const,
    id,
    tenantId: options.tenantId,
    tenantName: options.tenantName,
    secretName: input.secretName,
    secretVersion: input.secretVersion,
    serialNumber: candidate?.serialNumber ?? null,
    topic: candidate?.topic || null,
    appleId: intune?.appleId || null,
    intuneTopic: intune?.topic || null,
    oldExpiresAt: epochOf(intune),
    newExpiresAt: epochOf(candidate),
    checks: result.checks,
    proposedAt: now,
    proposedBy: input.proposedBy,
    proposedByPerson: input.person,
    lapsesAt: now + PROPOSAL_LIFETIME_MS,
  };
  if (result.ok) return { ...base, outcome: result.code, message: result.message, status: result.code === 'valid' ? 'pending' : 'current' };
  const { error } = result;
  return { ...base, outcome: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), status: 'refused' };
}

/**
 * A renewal proposal (SPEC §16): the renewal's dry run against that exact version of the certificate
 * secret, recorded through the proposal store, and every channel told — passed: "renewal ready —
 * approve on the status page"; refused: why, and "do not upload this". Nothing is uploaded.
 * The same version twice is one proposal and one message. A newer version supersedes the older
 * proposals of the same secret that still wait. A failure that is not a refusal (Key Vault or Intune
 * unreachable) records nothing and is thrown, so Event Grid delivers the event again.
 */
export async function proposeRenewal(deps: ProposeDeps, input: ProposeInput, options: RenewOptions): Promise<ProposeOutcome> {
  const { logger, clock } = deps.renew;
  const existing = async (version: string): Promise<ProposeOutcome | undefined> => {
    const id = proposalIdOf(options.tenantId, input.secretName, version);
    const known = await deps.proposals.get(id);
    if (!known) return undefined;
    logger.info(`Proposal ${id} (${input.secretName} version ${version}) exists already: nothing is run or sent again.`, { correlationId: options.correlationId });
    return { created: false, proposal: known.proposal, notifications: [] };
  };
  // A repeated event is known before anything is read.
  const before = input.secretVersion === undefined ? undefined : await existing(input.secretVersion);
  if (before) return before;
  const result = await renewCertificate(deps.renew, { secretName: input.secretName, ...(input.secretVersion ? { secretVersion: input.secretVersion } : {}), dryRun: true }, { ...options, actor: input.proposedBy });
  // A refusal is the proposal's answer; anything else means the checks could not run: try again later.
  if (!result.ok && result.error.exitCode !== 1) throw result.error;
  const version = input.secretVersion ?? result.secretVersion;
  // No version read (no such secret): nothing to propose, and the refusal says why.
  if (!version) throw result.ok ? new AppError('secret_not_found', `Key Vault named no version of ${input.secretName}.`) : result.error;
  if (input.secretVersion === undefined) {
    const known = await existing(version);
    if (known) return known;
  }
  const id = proposalIdOf(options.tenantId, input.secretName, version);
  const now = clock.now();
  const proposal = proposalOf(id, { ...input, secretVersion: version }, options, result, now);
  try {
    await deps.proposals.create(proposal);
  } catch (error) {
    const raced = error instanceof AppError && error.code === 'state_conflict' ? await deps.proposals.get(id) : undefined;
    if (!raced) throw error;
    logger.info(`Proposal ${id} was recorded at the same moment by another delivery: nothing is sent again.`, { correlationId: options.correlationId });
    return { created: false, proposal: raced.proposal, notifications: [] };
  }
  logger.info(`Renewal proposal ${id} recorded for ${input.secretName} version ${version}: ${proposal.status} (${proposal.outcome}).`, { correlationId: options.correlationId, outcome: proposal.outcome });
  await supersedeOlder(deps, proposal);
  const events = proposal.status === 'current' ? [] : [buildProposalEvent({ id: deps.renew.newId(), proposal, statusPageUrl: deps.statusPageUrl, now })];
  const notifications = await announce(deps.renew, events, 'the proposal is on the status page and in "apns-monitor renewals list"');
  return { created: true, proposal, notifications };
}

/** The older proposals of the same secret that still wait for approval lapse: only the newest version may be uploaded. */
async function supersedeOlder(deps: ProposeDeps, newer: RenewalProposal): Promise<void> {
  const same = (p: RenewalProposal) => p.id !== newer.id && p.tenantId === newer.tenantId && p.secretName.toLowerCase() === newer.secretName.toLowerCase() && p.proposedAt <= newer.proposedAt;
  for (const { proposal, version } of await deps.proposals.list()) {
    if (!same(proposal) || proposalStateAt(proposal, newer.proposedAt) !== 'pending') continue;
    try {
      await deps.proposals.save({ ...proposal, status: 'superseded', supersededBy: newer.id }, version);
    } catch (error) {
      // Being approved or decided right now: that decision stands (the renewal's own checks guard the upload).
      if (!(error instanceof AppError && error.code === 'state_conflict')) throw error;
      deps.renew.logger.warn(`Proposal ${proposal.id} changed while ${newer.id} superseded it; it was left as it is.`);
    }
  }
}
