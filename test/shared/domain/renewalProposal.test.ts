import {
  assessApproval,
  assessRejection,
  parseProposalId,
  parseRejectionReason,
  personKey,
  PROPOSAL_LIFETIME_MS,
  proposalIdOf,
  proposalStateAt,
  type RenewalProposal,
} from '../../../shared/domain/renewalProposal';
import { proposalFixture } from '../../fakes/proposals';

const NOW = Date.parse('2026-12-05T09:00:00Z');

const proposal = (over: Partial<RenewalProposal> = {}) => proposalFixture(NOW, { proposedAt: NOW, ...over });

const refusal = (p: RenewalProposal, approver = 'alex@contoso.com', now = NOW) => {
  try {
    assessApproval(p, approver, now);
    return undefined;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
};

describe('a renewal proposal’s state and who may approve it', () => {
  test('when a pending proposal reaches 7 days, it has lapsed; a moment before, it still waits', () => {
    expect(proposalStateAt(proposal(), NOW + PROPOSAL_LIFETIME_MS - 1)).toBe('pending');
    expect(proposalStateAt(proposal(), NOW + PROPOSAL_LIFETIME_MS)).toBe('lapsed');
  });

  test('when an approval is in flight it holds the proposal; once its lease ended (it died), the proposal waits again', () => {
    const approving = proposal({ status: 'approving', decidedBy: 'sam@contoso.com', approvingUntil: NOW + 60_000 });
    expect(proposalStateAt(approving, NOW)).toBe('approving');
    expect(refusal(approving)).toEqual({ code: 'renewal_in_progress', message: expect.stringContaining('being approved by sam@contoso.com') });
    expect(proposalStateAt(approving, NOW + 60_000)).toBe('pending');
    expect(refusal(approving, 'alex@contoso.com', NOW + 60_000)).toBeUndefined();
  });

  test.each([
    ['refused by its checks', proposal({ status: 'refused', outcome: 'topic_mismatch', message: 'The certificate’s topic differs.' }), 'its checks refused the certificate (topic_mismatch)'],
    ['lapsed', proposal(), 'it lapsed on 2026-12-12T09:00:00.000Z'],
    ['rejected', proposal({ status: 'rejected', decidedBy: 'sam@contoso.com', decidedAt: NOW, reason: 'wrong Apple ID' }), 'sam@contoso.com rejected it on 2026-12-05 ("wrong Apple ID")'],
    ['superseded', proposal({ status: 'superseded', supersededBy: 'ffffffffffff' }), 'a newer version of apns-certificate was stored after it (proposal ffffffffffff)'],
    ['approved', proposal({ status: 'approved', decidedBy: 'sam@contoso.com', decidedAt: NOW, result: { outcome: 'renewed', message: 'Renewed' } }), 'was already approved by sam@contoso.com'],
    ['current', proposal({ status: 'current', outcome: 'already_current' }), 'Intune already has this certificate'],
    ['failed', proposal({ status: 'failed', decidedBy: 'sam@contoso.com', result: { outcome: 'verification_failed', message: 'Intune still shows the old one.' } }), 'ended with verification_failed'],
  ])('when the proposal is %s, it cannot be approved (proposal_closed), saying why', (_what, p, why) => {
    const at = _what === 'lapsed' ? NOW + PROPOSAL_LIFETIME_MS : NOW;
    expect(refusal(p, 'alex@contoso.com', at)).toEqual({ code: 'proposal_closed', message: expect.stringContaining(why) });
  });

  test('when a person proposed it, that person cannot approve it — as the same Entra user in any case, or as the same OS account through the CLI and the local page — and another person can', () => {
    const byPerson = proposal({ proposedBy: 'Alex@Contoso.com', proposedByPerson: true });
    expect(refusal(byPerson, 'alex@contoso.com')?.code).toBe('approver_is_proposer');
    expect(refusal(proposal({ proposedBy: 'alex@laptop (CLI)', proposedByPerson: true }), 'alex@laptop (local)')?.code).toBe('approver_is_proposer');
    expect(refusal(byPerson, 'sam@contoso.com')).toBeUndefined();
    // The Key Vault event is nobody: anyone may approve its proposal.
    expect(refusal(proposal(), 'Key Vault event')).toBeUndefined();
    expect(personKey(' Alex@Laptop (cli) ')).toBe('alex@laptop');
  });

  test('when a proposal is rejected, only an open one can be (pending or lapsed)', () => {
    expect(() => assessRejection(proposal(), NOW)).not.toThrow();
    expect(() => assessRejection(proposal(), NOW + PROPOSAL_LIFETIME_MS)).not.toThrow();
    expect(() => assessRejection(proposal({ status: 'approved' }), NOW)).toThrow(expect.objectContaining({ code: 'proposal_closed' }));
  });
});

describe('proposal ids and a person’s input', () => {
  test('when the same tenant, secret and version come twice (any case), they are the same 12-character id; another version is another', () => {
    const id = proposalIdOf('Contoso', 'APNS-Certificate', 'AbC123');
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(proposalIdOf('contoso', 'apns-certificate', 'abc123')).toBe(id);
    expect(proposalIdOf('contoso', 'apns-certificate', 'abc124')).not.toBe(id);
    expect(parseProposalId(` ${id.toUpperCase()} `)).toBe(id);
    expect(() => parseProposalId('../etc/passwd')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  test('when a rejection’s reason is empty, too long, or carries a line break or a bidi control, it is invalid_request', () => {
    expect(parseRejectionReason('  wrong Apple ID ')).toBe('wrong Apple ID');
    for (const bad of ['', '   ', 'x'.repeat(501), 'line\nbreak', 'evil\u202Etxt', 42]) expect(() => parseRejectionReason(bad)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
