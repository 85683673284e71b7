import { MAX_ACK_DAYS, MAX_ACK_REASON_CHARS } from '../domain/acknowledgement';
import { MS_PER_DAY } from '../domain/assessExpiry';
import type { EpochMs } from '../domain/assets';
import type { AssetStatus, StatusView } from '../useCases/getStatus';
import { isoOf, parseIso, relativeTime, SEVERITY_LABEL, utcMinute } from './format';
import { html, type SafeHtml } from './html';

/** What the section needs of the page: the instant, who is looking, where the actions post. */
export interface AcknowledgementContext {
  now: EpochMs;
  viewer: { canRenew: boolean };
  routes: { acknowledge: string; unacknowledge: string };
}

/** An alert a person may acknowledge: in use, alerting, not expired, not the monitor's own (SPEC §15). */
export function canBeAcknowledged(asset: AssetStatus): boolean {
  return asset.inUse && asset.kind !== 'monitor' && (asset.severity === 'notice' || asset.severity === 'warning' || asset.severity === 'critical');
}

const dateOf = (ms: EpochMs) => isoOf(ms).slice(0, 10);

/** The latest date an alert can be acknowledged to: at most 30 days ahead, and not after its expiry. */
function latestDate(asset: AssetStatus, now: EpochMs): string {
  const expiresAt = parseIso(asset.expiresAt);
  return dateOf(Math.min(now + MAX_ACK_DAYS * MS_PER_DAY, expiresAt ?? Number.POSITIVE_INFINITY));
}

function untilText(iso: string, now: EpochMs): SafeHtml {
  const ms = parseIso(iso);
  return ms === null ? html`${iso}` : html`<time datetime="${iso}">${utcMinute(ms)}</time><span class="sub">${relativeTime(ms, now)}</span>`;
}

/**
 * The tenant view's acknowledgements: what is acknowledged now (who, why, until when), the form an
 * Operator acknowledges with (a same-origin JSON POST by the page's script, as the dry run), and the
 * recent acknowledgements from the audit trail. Every value is escaped by the `html` template.
 */
export function acknowledgementsSection(tenant: StatusView, ctx: AcknowledgementContext): SafeHtml {
  const acked = tenant.assets.filter((a) => a.acknowledgement !== null);
  const candidates = tenant.assets.filter((a) => canBeAcknowledged(a) && a.acknowledgement === null);
  const operator = ctx.viewer.canRenew;
  const current =
    acked.length === 0
      ? html`<p class="empty">No alert of this tenant is acknowledged.</p>`
      : html`<div class="scroll" role="region" aria-labelledby="acks-h" tabindex="0">
<table id="acknowledgements" class="reflow">
<thead><tr><th scope="col">Asset</th><th scope="col">Paused at</th><th scope="col">Until (UTC)</th><th scope="col">By · why</th>${operator ? html`<th scope="col"><span class="sub">Action</span></th>` : ''}</tr></thead>
<tbody>
${acked.map((a) => {
  const ack = a.acknowledgement as NonNullable<AssetStatus['acknowledgement']>;
  return html`<tr>
<th scope="row" data-label="Asset">${a.name}<span class="sub"><code>${a.key}</code></span></th>
<td data-label="Paused at"><span class="sev sev-${ack.severity}">${SEVERITY_LABEL[ack.severity]}</span></td>
<td class="when" data-label="Until (UTC)">${untilText(ack.until, ctx.now)}</td>
<td data-label="By · why">${ack.by}<span class="sub">${ack.reason}</span></td>
${operator ? html`<td data-label="Action"><form class="unack" method="post" action="${ctx.routes.unacknowledge}"><input type="hidden" name="key" value="${a.key}"><button type="submit" disabled>End</button></form></td>` : ''}
</tr>`;
})}
</tbody>
</table>
</div>`;
  const form = !operator
    ? html`<p class="help">Acknowledging is offered to the <code>ApnsMonitor.Operator</code> role. Or run <code>apns-monitor ack KEY --until DATE --reason TEXT</code>.</p>`
    : candidates.length === 0
      ? html`<p class="help">Nothing else to acknowledge: no alert at notice, warning or critical (an expired asset or the monitor’s own failure never goes quiet).</p>`
      : html`<form id="ack" class="dryrun" method="post" action="${ctx.routes.acknowledge}" aria-describedby="ack-help">
<fieldset disabled>
<legend>Acknowledge an alert</legend>
<p class="help" id="ack-help">Its reminders at the current severity pause until the date (at most ${MAX_ACK_DAYS} days, never after the expiry); a worse severity still alerts at once and ends it. Recorded in the audit trail under your name.</p>
<label for="ack-key">Alert</label>
<select id="ack-key" name="key" required>${candidates.map((a) => html`<option value="${a.key}" data-max="${latestDate(a, ctx.now)}">${a.name} — ${SEVERITY_LABEL[a.severity]}</option>`)}</select>
<label for="ack-until">Until (a date, UTC midnight)</label>
<input id="ack-until" name="until" type="date" required min="${dateOf(ctx.now + MS_PER_DAY)}" max="${candidates[0] ? latestDate(candidates[0], ctx.now) : ''}">
<label for="ack-reason">Reason</label>
<input id="ack-reason" name="reason" type="text" required maxlength="${MAX_ACK_REASON_CHARS}" autocomplete="off" placeholder="Renewal booked for Thursday with the Apple ID owner">
<button type="submit">Acknowledge</button>
</fieldset>
</form>
<noscript><p class="help">Acknowledging needs JavaScript. Without it, run <code>apns-monitor ack KEY --until DATE --reason TEXT</code>.</p></noscript>`;
  const trail = tenant.acknowledgements.slice(0, 10);
  return html`<h2 id="acks-h">Acknowledgements</h2>
<div class="panel">
${current}
${form}
<div id="ack-result" class="result" role="status" aria-live="polite"></div>
${trail.length === 0 ? '' : html`<h3>Recent</h3>
<ul class="ack-trail">${trail.map((e) => {
  const at = parseIso(e.at);
  return html`<li><time datetime="${e.at}">${at === null ? e.at : utcMinute(at)}</time> · ${e.actor} ${e.outcome === 'acknowledged' ? 'acknowledged' : 'ended the acknowledgement of'} ${e.assetName} (${SEVERITY_LABEL[e.severity]}) until ${e.until.slice(0, 10)}: ${e.reason}</li>`;
})}</ul>`}
</div>`;
}

/**
 * The section's script (appended to the page's one nonce'd script): posts the forms as JSON to the
 * page's own origin and shows the answer with textContent; the page reloads after a success so the
 * table shows the stored state.
 */
export const ACKNOWLEDGEMENT_SCRIPT = `
(() => {
  const result = document.getElementById('ack-result');
  if (!result) return;
  const say = (text, cls) => {
    const p = document.createElement('p');
    p.textContent = text;
    if (cls) p.className = cls;
    result.replaceChildren(p);
  };
  const post = async (form, body, controls) => {
    for (const c of controls) c.disabled = true;
    say('Saving…');
    try {
      const response = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
      const json = (response.headers.get('content-type') || '').includes('json') ? await response.json() : null;
      if (response.ok && json && json.outcome) {
        say(json.message || json.outcome, 'pass');
        location.reload();
        return;
      }
      say(json && json.error ? 'Refused (HTTP ' + response.status + '): ' + json.error.code + ' — ' + json.error.message : 'Unexpected answer: HTTP ' + response.status + '.', 'fail');
    } catch (error) {
      say('The request failed: ' + (error && error.message ? error.message : String(error)), 'fail');
    }
    for (const c of controls) c.disabled = false;
  };
  const form = document.getElementById('ack');
  if (form) {
    const fieldset = form.querySelector('fieldset');
    // Each alert's latest date (30 days, or its expiry when sooner) as the date field's limit.
    const limit = () => { form.elements.until.max = form.elements.key.selectedOptions[0].getAttribute('data-max'); };
    form.elements.key.addEventListener('change', limit);
    limit();
    fieldset.disabled = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      post(form, { key: form.elements.key.value, until: form.elements.until.value, reason: form.elements.reason.value.trim() }, [fieldset]);
    });
  }
  for (const unack of document.querySelectorAll('form.unack')) {
    const button = unack.querySelector('button');
    button.disabled = false;
    unack.addEventListener('submit', (event) => {
      event.preventDefault();
      post(unack, { key: unack.elements.key.value }, [button]);
    });
  }
})();
`;
