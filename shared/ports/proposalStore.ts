import type { RenewalProposal } from '../domain/renewalProposal';

/** A stored proposal and the version it was read at (an ETag, or the file store's counter). */
export interface VersionedProposal {
  proposal: RenewalProposal;
  version: string;
}

/**
 * Renewal proposals (SPEC §16), kept with the state (Table Storage, or the CLI's state file), one
 * record per proposal, all in one partition of their own (`PROPOSALS_PARTITION`: listing them is one
 * partition query, reading one a point read, whatever the size of the fleet), with optimistic
 * concurrency as the state has: that is what makes a repeated Key Vault event one proposal and two
 * approvals one upload.
 */
/** Not a tenant id (they never start with "~"), so it never meets a tenant's partition. */
export const PROPOSALS_PARTITION = '~renewal-proposals';
/** A proposal's row: `proposal:<id>` (the kind of record before the ":"). */
export const proposalRow = (id: string) => `proposal:${id}`;

export interface ProposalStore {
  /** Stores a new proposal; throws AppError `state_conflict` when one with its id exists (a repeated event). */
  create(proposal: RenewalProposal): Promise<string>;
  get(id: string): Promise<VersionedProposal | undefined>;
  /** Every proposal of every tenant in one query, newest first. */
  list(): Promise<VersionedProposal[]>;
  /** Replaces it if it is still at `expectedVersion`, else throws `state_conflict`; returns the new version. */
  save(proposal: RenewalProposal, expectedVersion: string): Promise<string>;
  /** Done: a store may tidy up what it wrote (the file store folds its journal into the file). */
  close(): Promise<void>;
}
