import { PROPOSAL_LIFETIME_MS, type RenewalProposal } from '../../shared/domain/renewalProposal';

const DAY = 86_400_000;

/** A renewal proposal as the Key Vault event records one that passed, proposed an hour before `now`; `over` changes any field. */
export function proposalFixture(now: number, over: Partial<RenewalProposal> = {}): RenewalProposal {
  const proposedAt = over.proposedAt ?? now - 3_600_000;
  return {
    schema: 1,
    id: 'a1b2c3d4e5f6',
    tenantId: 'contoso',
    tenantName: 'Contoso',
    secretName: 'apns-certificate',
    secretVersion: '6549b0deb8ec45e9',
    serialNumber: '1018047665D98D4C',
    topic: 'com.apple.mgmt.External.x',
    appleId: 'mdm@contoso.com',
    intuneTopic: 'com.apple.mgmt.External.x',
    oldExpiresAt: now + 5 * DAY,
    newExpiresAt: now + 370 * DAY,
    outcome: 'valid',
    message: 'The certificate passed every check.',
    checks: [
      { step: 6, check: 'same topic', ok: true, detail: 'com.apple.mgmt.External.x' },
      { step: 11, check: 'dry run', ok: true, detail: 'stopped before the upload' },
    ],
    proposedAt,
    proposedBy: 'Key Vault event',
    proposedByPerson: false,
    lapsesAt: proposedAt + PROPOSAL_LIFETIME_MS,
    status: 'pending',
    ...over,
  };
}
