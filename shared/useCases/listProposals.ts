import { formatUtc } from '../domain/graphDateTime';
import { proposalStateAt, type ProposalState, type RenewalProposal } from '../domain/renewalProposal';
import type { ProposalStore } from '../ports/proposalStore';

type Dates = 'proposedAt' | 'lapsesAt' | 'decidedAt' | 'approvingUntil' | 'oldExpiresAt' | 'newExpiresAt';

/**
 * A proposal as people and tools see it (`renewals list --json`, the status API, the page): its
 * state at the time of the read (a pending one may have lapsed) and its dates in ISO 8601 UTC.
 */
export type ProposalView = Omit<RenewalProposal, Dates> & {
  state: ProposalState;
  proposedAt: string;
  lapsesAt: string;
  decidedAt?: string;
  approvingUntil?: string;
  oldExpiresAt: string | null;
  newExpiresAt: string | null;
};

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatUtc(ms));

export function proposalView(p: RenewalProposal, now: number): ProposalView {
  const { proposedAt, lapsesAt, decidedAt, approvingUntil, oldExpiresAt, newExpiresAt, ...rest } = p;
  return {
    ...rest,
    state: proposalStateAt(p, now),
    proposedAt: formatUtc(proposedAt),
    lapsesAt: formatUtc(lapsesAt),
    ...(decidedAt === undefined ? {} : { decidedAt: formatUtc(decidedAt) }),
    ...(approvingUntil === undefined ? {} : { approvingUntil: formatUtc(approvingUntil) }),
    oldExpiresAt: iso(oldExpiresAt),
    newExpiresAt: iso(newExpiresAt),
  };
}

/** Every proposal, newest first, as seen at `now`. */
export async function listProposals(store: ProposalStore, now: number): Promise<ProposalView[]> {
  return (await store.list()).map((v) => proposalView(v.proposal, now));
}
