import type { EpochMs } from '../domain/assets';
import { personKey } from '../domain/renewalProposal';
import type { ProposalView } from '../useCases/listProposals';
import type { FleetStatusView, StatusView } from '../useCases/getStatus';
import { isoOf, parseIso, relativeTime, utcMinute } from './format';
import { html, type SafeHtml } from './html';
import type { Viewer } from './viewer';

/** Where the page posts its decisions on proposals (its own action routes, SPEC §16). */
export interface ProposalRoutes {
  approve: string;
  reject: string;
  propose: string;
}

export const PROPOSAL_ROUTES: ProposalRoutes = Object.freeze({
  approve: '/api/apns/dashboard/renewals/approve',
  reject: '/api/apns/dashboard/renewals/reject',
  propose: '/api/apns/dashboard/renewals/propose',
});

interface ProposalCtx {
  now: EpochMs;
  viewer: Viewer;
  routes: ProposalRoutes;
}

const STATE_TEXT: Record<ProposalView['state'], { label: string; cls: string }> = {
  pending: { label: 'Waiting for approval', cls: 'sev sev-notice' },
  approving: { label: 'Being approved', cls: 'sev sev-notice' },
  approved: { label: 'Approved', cls: 'sev sev-ok' },
  refused: { label: 'Refused: do not upload', cls: 'sev sev-warning' },
  current: { label: 'Nothing to do: Intune has it', cls: 'tag' },
  failed: { label: 'Approval failed', cls: 'sev sev-critical' },
  rejected: { label: 'Rejected', cls: 'tag' },
  superseded: { label: 'Superseded', cls: 'tag' },
  lapsed: { label: 'Lapsed', cls: 'tag' },
};

function at(iso: string | null | undefined, ctx: ProposalCtx): SafeHtml | string {
  const ms = parseIso(iso);
  return ms === null ? '—' : html`<time datetime="${isoOf(ms)}">${utcMinute(ms)}</time> (${relativeTime(ms, ctx.now)})`;
}

function checkList(p: ProposalView): SafeHtml {
  return html`<ol class="checks">${p.checks.map(
    (c) => html`<li class="${c.ok ? 'pass' : 'fail'}" value="${c.step}"><strong>${c.ok ? '✓ passed: ' : '✗ failed: '}${c.check}</strong><span> — ${c.detail}</span></li>`,
  )}</ol>`;
}

/** The approve and reject forms of a pending proposal, for an Operator who did not propose it. */
function decisionForms(p: ProposalView, ctx: ProposalCtx): SafeHtml {
  const result = `proposal-result-${p.id}`;
  if (!ctx.viewer.canRenew) return html`<p class="help">Approving is for the <code>ApnsMonitor.Operator</code> role, or from a terminal: <code>apns-monitor renewals approve ${p.id}</code>.</p>`;
  const own = p.proposedByPerson && ctx.viewer.name !== null && personKey(ctx.viewer.name) === personKey(p.proposedBy);
  const approve = own
    ? html`<p class="help">You proposed it: another person must approve it.</p>`
    : html`<form class="dryrun proposal-action" method="post" action="${ctx.routes.approve}" data-result="${result}">
<input type="hidden" name="id" value="${p.id}">
<fieldset disabled>
<legend>Approve: upload serial ${p.serialNumber ?? ''} to Intune</legend>
<p class="help">Every renewal check runs again against this version; only then is it uploaded, verified in Intune, recorded under your name and announced on every channel.</p>
${ctx.viewer.confirmsUploadWithKey ? html`<label for="${`key-${p.id}`}">Key printed by <code>apns-monitor serve</code></label><input id="${`key-${p.id}`}" name="key" type="password" autocomplete="off" spellcheck="false" required aria-describedby="${`key-help-${p.id}`}"><p class="help" id="${`key-help-${p.id}`}">An upload from this computer’s page needs the key the server printed on its terminal: no other web page can know it.</p>` : ''}
<button type="submit">Approve and upload</button>
</fieldset>
</form>`;
  return html`${approve}
<form class="dryrun proposal-action" method="post" action="${ctx.routes.reject}" data-result="${result}">
<input type="hidden" name="id" value="${p.id}">
<fieldset disabled>
<legend>Reject</legend>
<label for="${`reason-${p.id}`}">Reason</label>
<input id="${`reason-${p.id}`}" name="reason" type="text" maxlength="500" required autocomplete="off">
<button type="submit">Reject</button>
</fieldset>
</form>
<noscript><p class="help">Deciding needs JavaScript. Without it: <code>apns-monitor renewals approve ${p.id}</code> or <code>apns-monitor renewals reject ${p.id} --reason TEXT</code>.</p></noscript>`;
}

function proposalPanel(p: ProposalView, ctx: ProposalCtx): SafeHtml {
  const state = STATE_TEXT[p.state];
  const failed = p.checks.filter((c) => !c.ok).length;
  const expiry = (iso: string | null) => (iso === null ? '—' : iso.slice(0, 10));
  const decided = p.decidedBy
    ? html`<dt>Decided</dt><dd>${p.decidedBy}, ${at(p.decidedAt, ctx)}${p.reason ? html`: “${p.reason}”` : ''}${p.result ? html`<span class="sub"><code>${p.result.outcome}</code> ${p.result.message}</span>` : ''}</dd>`
    : '';
  return html`<section class="panel proposal" id="${`proposal-${p.id}`}" aria-labelledby="${`proposal-h-${p.id}`}">
<h3 id="${`proposal-h-${p.id}`}">Proposal <code>${p.id}</code> <span class="${state.cls}">${state.label}</span></h3>
<dl class="facts">
<dt>Certificate</dt><dd>serial <code>${p.serialNumber ?? 'unreadable'}</code>${p.topic ? html`<span class="sub">topic <code class="wrap">${p.topic}</code></span>` : ''}</dd>
<dt>Expiry: now → new</dt><dd>${expiry(p.oldExpiresAt)} → ${expiry(p.newExpiresAt)}</dd>
<dt>Key Vault secret</dt><dd><code>${p.secretName}</code> version <code>${p.secretVersion}</code></dd>
<dt>Proposed</dt><dd>${at(p.proposedAt, ctx)} by ${p.proposedBy}${p.state === 'pending' ? html`<span class="sub">lapses ${at(p.lapsesAt, ctx)}</span>` : ''}</dd>
${p.outcome === 'valid' ? '' : html`<dt>Dry run</dt><dd><code>${p.outcome}</code> ${p.message}${p.hint ? html`<span class="sub">${p.hint}</span>` : ''}</dd>`}
${decided}
</dl>
<details${p.state === 'pending' || p.state === 'refused' ? html` open` : ''}><summary>The checks (${p.checks.filter((c) => c.ok).length} passed${failed > 0 ? `, ${failed} failed` : ''})</summary>
<div class="result">${checkList(p)}</div>
</details>
${p.state === 'pending' ? decisionForms(p, ctx) : ''}
<div id="${`proposal-result-${p.id}`}" class="result" role="status" aria-live="polite"></div>
</section>`;
}

/** A person proposes the tenant's certificate secret (its latest version) for another person's approval. */
function proposeForm(tenant: StatusView, ctx: ProposalCtx): SafeHtml {
  if (!ctx.viewer.canRenew) return html``;
  return html`<form class="dryrun proposal-action" method="post" action="${ctx.routes.propose}" data-result="proposal-result-new">
<input type="hidden" name="tenantId" value="${tenant.tenantId}">
<fieldset disabled>
<legend>Propose the certificate in Key Vault</legend>
<p class="help">Storing a new version of the certificate secret proposes it by itself. This dry-runs the latest version now and records the proposal under your name; another person approves it.</p>
<button type="submit">Propose for approval</button>
</fieldset>
</form>
<div id="proposal-result-new" class="result" role="status" aria-live="polite"></div>`;
}

/**
 * The tenant view's renewal proposals (SPEC §16): each with its checks, its state, and — pending, for
 * an Operator who did not propose it — the approve and reject forms.
 */
export function proposalsSection(tenant: StatusView, viewer: Viewer, now: EpochMs, routes: ProposalRoutes = PROPOSAL_ROUTES): SafeHtml {
  const ctx: ProposalCtx = { now, viewer, routes };
  const proposals = tenant.proposals ?? [];
  return html`<h2 id="proposals-h">Renewal proposals</h2>
${proposals.length === 0 ? html`<p class="empty">No renewal proposal. Storing the renewed <code>.pem</code> in Key Vault makes one: every check runs at once, nothing is uploaded until a person approves it here.</p>` : proposals.map((p) => proposalPanel(p, ctx))}
${proposeForm(tenant, ctx)}`;
}

/**
 * The fleet view's note of the proposals waiting for approval (each tenant linked to its view, where
 * they are decided), or nothing when none waits.
 */
export function proposalsWaitingNote(view: FleetStatusView, tenantHref: (tenantId: string) => string): SafeHtml | null {
  const waiting = view.tenants.filter((t) => (t.proposals ?? []).some((p) => p.state === 'pending'));
  if (waiting.length === 0) return null;
  const count = waiting.reduce((n, t) => n + (t.proposals ?? []).filter((p) => p.state === 'pending').length, 0);
  return html`<p><strong>${count} renewal ${count === 1 ? 'proposal waits' : 'proposals wait'} for approval</strong>: ${waiting.map((t, i) => html`${i > 0 ? ', ' : ''}<a href="${`${tenantHref(t.tenantId)}#proposals-h`}">${t.tenantName}</a>`)}.</p>`;
}
