import { AppError } from '../../domain/errors';
import type { RenewalProposal } from '../../domain/renewalProposal';
import { PROPOSALS_PARTITION, proposalRow, type ProposalStore, type VersionedProposal } from '../../ports/proposalStore';
import type { FileRecord, FileRecordStore } from './fileRecordStore';

/**
 * Renewal proposals for the CLI and `apns-monitor serve`: records in the state file (snapshot and
 * journal, see fileRecordStore.ts), laid out as in Table Storage. Given the state file's record store
 * (`openStateFile`), so a status page view reads the file once for the state and the proposals.
 */
function versioned(record: FileRecord): VersionedProposal {
  // A copy: the caller changes what it read, the store keeps what was saved.
  return { proposal: structuredClone(record.value) as RenewalProposal, version: String(record.version) };
}

export function createFileProposalStore(records: FileRecordStore): ProposalStore {
  const expected = (version: string) => {
    const n = Number(version);
    if (!Number.isInteger(n)) throw new AppError('state_conflict', `The renewal proposal in ${records.path} was changed by another run.`);
    return n;
  };
  return {
    async create(proposal) {
      return String(await records.put(PROPOSALS_PARTITION, proposalRow(proposal.id), proposal, null));
    },
    async get(id) {
      const record = await records.get(PROPOSALS_PARTITION, proposalRow(id));
      return record ? versioned(record) : undefined;
    },
    async list() {
      const all = await records.rows(proposalRow(''));
      return all
        .filter((r) => r.partition === PROPOSALS_PARTITION)
        .map((r) => versioned(r.record))
        .sort((a, b) => b.proposal.proposedAt - a.proposal.proposedAt);
    },
    async save(proposal, version) {
      return String(await records.put(PROPOSALS_PARTITION, proposalRow(proposal.id), proposal, expected(version)));
    },
    close: () => records.compact(),
  };
}
