import { renderDashboard, type Viewer } from '../../../shared/dashboard/renderDashboard';
import type { RenewalProposal } from '../../../shared/domain/renewalProposal';
import type { FleetStatusView } from '../../../shared/useCases/getStatus';
import { proposalView } from '../../../shared/useCases/listProposals';
import { proposalFixture } from '../../fakes/proposals';
import { contoso, CONTOSO_ID, fleetView, NOW } from './dashboardFixtures';

const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
const OPERATOR: Viewer = { name: 'alex@contoso.com', canRenew: true };

const proposal = (over: Partial<RenewalProposal> = {}) => proposalFixture(NOW, { tenantId: CONTOSO_ID, tenantName: 'Contoso Ltd', ...over });

function pageWith(proposals: RenewalProposal[], viewer: Viewer = OPERATOR, selected: string | null = CONTOSO_ID): string {
  const base = fleetView();
  const view: FleetStatusView = { ...base, tenants: base.tenants.map((t) => (t.tenantId === CONTOSO_ID ? { ...contoso(), proposals: proposals.map((p) => proposalView(p, NOW)) } : t)) };
  return renderDashboard({ view, viewer, nonce: NONCE, now: NOW, ...(selected === null ? {} : { selectedTenantId: selected }) });
}

const panel = (page: string, id: string) => /<section class="panel proposal" id="proposal-[^"]+"[^]*?<\/section>/.exec(page.slice(page.indexOf(`id="proposal-${id}"`) - 40))?.[0] ?? '';

describe('renewal proposals on the status page', () => {
  test('when a proposal waits, an Operator sees its serial, expiry, secret version, proposer, lapse, every check and the approve and reject forms (no key field in Azure)', () => {
    const page = pageWith([proposal()]);
    const p = panel(page, 'a1b2c3d4e5f6');
    expect(p).toContain('<span class="sev sev-notice">Waiting for approval</span>');
    expect(p).toContain('serial <code>1018047665D98D4C</code>');
    expect(p).toMatch(/2026-11-28 → 2027-11-28/);
    expect(p).toContain('version <code>6549b0deb8ec45e9</code>');
    expect(p).toMatch(/by Key Vault event<span class="sub">lapses <time datetime="2026-11-30T07:00:00.000Z">/);
    expect(p).toContain('<li class="pass" value="6"><strong>✓ passed: same topic</strong>');
    expect(p).toContain('action="/api/apns/dashboard/renewals/approve"');
    expect(p).toContain('action="/api/apns/dashboard/renewals/reject"');
    expect(p).not.toContain('name="key"');
  });

  test('when the page is apns-monitor serve’s, the approve form asks for the key serve printed (a password field)', () => {
    const p = panel(pageWith([proposal()], { name: 'alex@laptop (local)', canRenew: true, confirmsUploadWithKey: true }), 'a1b2c3d4e5f6');
    expect(p).toMatch(/<input id="key-a1b2c3d4e5f6" name="key" type="password" autocomplete="off"/);
  });

  test('when the viewer proposed it, there is no approve form for them (another person must), only reject', () => {
    const p = panel(pageWith([proposal({ proposedBy: 'Alex@contoso.com', proposedByPerson: true })]), 'a1b2c3d4e5f6');
    expect(p).toContain('You proposed it: another person must approve it.');
    expect(p).not.toContain('renewals/approve');
    expect(p).toContain('renewals/reject');
  });

  test('when a proposal was refused, it says why (escaped) and offers no decision; a reader gets no form at all', () => {
    const hostile = 'The topic <img src=x onerror=alert(7)> differs';
    const p = panel(pageWith([proposal({ status: 'refused', outcome: 'topic_mismatch', message: hostile, checks: [{ step: 6, check: 'same topic', ok: false, detail: '<b>x</b>' }] })]), 'a1b2c3d4e5f6');
    expect(p).toContain('<span class="sev sev-warning">Refused: do not upload</span>');
    expect(p).toContain('<code>topic_mismatch</code> The topic &lt;img src=x onerror=alert(7)&gt; differs');
    expect(p).toContain('✗ failed: same topic</strong><span> — &lt;b&gt;x&lt;/b&gt;</span>');
    expect(p).not.toMatch(/<form/);
    const reader = pageWith([proposal()], { name: 'reader@contoso.com', canRenew: false });
    expect(panel(reader, 'a1b2c3d4e5f6')).not.toMatch(/<form/);
    expect(reader).not.toContain('renewals/propose');
  });

  test('when a proposal waits for a tenant, the fleet view says so and links to its proposals', () => {
    const page = pageWith([proposal()], OPERATOR, null);
    expect(page).toContain(`<strong>1 renewal proposal waits for approval</strong>: <a href="/api/apns/dashboard?tenant=${CONTOSO_ID}#proposals-h">Contoso Ltd</a>.`);
    expect(pageWith([proposal({ status: 'approved' })], OPERATOR, null)).not.toContain('waits for approval');
  });
});
