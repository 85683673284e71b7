import { odata, type TableEntity } from '@azure/data-tables';
import { AppError } from '../../domain/errors';
import { parseRenewalProposal } from '../../domain/renewalProposal';
import { PROPOSALS_PARTITION, proposalRow, type ProposalStore, type VersionedProposal } from '../../ports/proposalStore';
import { createTableClient, describeTable, isNotFound, saveEntity, storageError, tableCreator, type TableStoreOptions } from './tableStateStore';

/**
 * Renewal proposals in Table Storage, beside the state: PartitionKey "~renewal-proposals", RowKey
 * "proposal:<id>", the proposal as JSON plus columns for people browsing the table. Listing them is
 * one partition query and reading one a point read. Created only if absent and replaced only at the
 * ETag read, so a repeated event is one proposal and two approvals cannot both claim it.
 */

type ProposalEntity = { proposal: string; etag?: string };

export function createTableProposalStore(options: TableStoreOptions): ProposalStore {
  const client = createTableClient(options);
  const where = describeTable(options);
  const ensureTable = tableCreator(client, where);

  const entityOf = (p: VersionedProposal['proposal']): TableEntity<Record<string, unknown>> => ({
    partitionKey: PROPOSALS_PARTITION,
    rowKey: proposalRow(p.id),
    tenantId: p.tenantId,
    status: p.status,
    secretName: p.secretName,
    secretVersion: p.secretVersion,
    proposedBy: p.proposedBy,
    proposal: JSON.stringify(p),
  });

  const versionedOf = (entity: ProposalEntity & { partitionKey?: string; rowKey?: string }): VersionedProposal => {
    const at = `${where} (${entity.partitionKey ?? ''}, ${entity.rowKey ?? ''})`;
    let json: unknown;
    try {
      json = JSON.parse(entity.proposal);
    } catch {
      throw new AppError('state_unreadable', `The renewal proposal in ${at} is unreadable: it is not valid JSON. It was left as it is.`);
    }
    if (!entity.etag) throw new AppError('state_unavailable', `${where} answered without an ETag.`);
    return { proposal: parseRenewalProposal(json, at), version: entity.etag };
  };


  return {
    async create(proposal) {
      await ensureTable();
      return saveEntity(client, entityOf(proposal), null, where, 'record the renewal proposal');
    },
    async get(id) {
      try {
        return versionedOf(await client.getEntity<ProposalEntity>(PROPOSALS_PARTITION, proposalRow(id)));
      } catch (error) {
        // No such entity, or no table yet: no such proposal.
        if (isNotFound(error)) return undefined;
        throw storageError(error, where, 'read the renewal proposal');
      }
    },
    async list() {
      // One partition: a read needs no table (none yet means no proposal yet).
      const out: VersionedProposal[] = [];
      try {
        for await (const entity of client.listEntities<ProposalEntity>({ queryOptions: { filter: odata`PartitionKey eq ${PROPOSALS_PARTITION}`, select: ['PartitionKey', 'RowKey', 'proposal'] } })) out.push(versionedOf(entity));
      } catch (error) {
        if (isNotFound(error)) return [];
        throw storageError(error, where, 'read the renewal proposals');
      }
      return out.sort((a, b) => b.proposal.proposedAt - a.proposal.proposedAt);
    },
    async save(proposal, version) {
      await ensureTable();
      return saveEntity(client, entityOf(proposal), version, where, 'save the renewal proposal');
    },
    // Every write went straight to the table.
    close: async () => undefined,
  };
}
