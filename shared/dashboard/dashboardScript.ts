import { ACKNOWLEDGEMENT_SCRIPT } from './renderAcknowledgements';
import { filterTerms, matchCountText, matchesTerms } from './filterMatch';

/**
 * The page's only script (inline, nonce'd): progressive enhancement. Without it the table is
 * complete and the filter box still works as a GET form; the dry-run form and the decisions on
 * renewal proposals need it (they post JSON).
 * Everything that comes back from the server is shown with textContent, never as markup; the audit
 * trail shown after a dry run is the page's own section re-read from the server, as a reload would
 * show it.
 *
 * The filter matches and counts with the very functions the server uses for `?q=` (their source is
 * embedded below), so the live filter and the server's agree by construction. A keystroke is
 * debounced, reads nothing from the layout and writes only the rows whose state changes: it stays
 * well within one frame on a page of the fleet table.
 */
export const DASHBOARD_SCRIPT = `
(() => {
  ${filterTerms.toString()}
  ${matchesTerms.toString()}
  ${matchCountText.toString()}

  const filter = document.getElementById('filter');
  const table = document.getElementById('assets');
  if (filter && table) {
    const count = document.getElementById('filter-count');
    const empty = document.getElementById('filter-empty');
    // Read once: the rows never change, so a keystroke reads no attribute and no layout.
    const rows = [];
    const groups = [];
    for (const body of Array.from(table.tBodies)) {
      const group = { header: body.querySelector('tr.group'), from: rows.length, to: 0 };
      for (const row of Array.from(body.rows)) if (row.hasAttribute('data-filter')) rows.push(row);
      group.to = rows.length;
      groups.push(group);
    }
    const texts = rows.map((row) => row.getAttribute('data-filter'));
    const tenantOf = rows.map((row) => row.getAttribute('data-tenant'));
    const assetsOf = rows.map((row) => Number(row.getAttribute('data-assets')));
    const rowShown = rows.map((row) => !row.hasAttribute('hidden'));
    const markers = Array.from(document.querySelectorAll('svg.tl [data-filter]'));
    const markerTexts = markers.map((marker) => marker.getAttribute('data-filter'));
    const markerShown = markers.map((marker) => !marker.hasAttribute('hidden'));
    // A page that holds every line of the table counts as the server does; a page of a longer list
    // (or of the server's own filter) can only say what matches on it.
    const complete = count.hasAttribute('data-complete');
    const total = { assets: Number(count.getAttribute('data-assets')), tenants: Number(count.getAttribute('data-tenants')) };
    const serverTerms = filterTerms(filter.defaultValue).join(' ');
    const serverCount = count.textContent;
    let appliedTerms = serverTerms;
    let timer = 0;
    const apply = () => {
      timer = 0;
      const terms = filterTerms(filter.value);
      if (terms.join(' ') === appliedTerms) return;
      appliedTerms = terms.join(' ');
      let assets = 0;
      let lines = 0;
      const tenants = new Set();
      for (let i = 0; i < rows.length; i++) {
        const match = matchesTerms(texts[i], terms);
        if (match !== rowShown[i]) {
          rows[i].toggleAttribute('hidden', !match);
          rowShown[i] = match;
        }
        if (match) {
          lines++;
          assets += assetsOf[i];
          tenants.add(tenantOf[i]);
        }
      }
      for (const group of groups) {
        if (group.header) group.header.toggleAttribute('hidden', !rowShown.slice(group.from, group.to).includes(true));
      }
      for (let i = 0; i < markers.length; i++) {
        const match = matchesTerms(markerTexts[i], terms);
        if (match !== markerShown[i]) {
          markers[i].toggleAttribute('hidden', !match);
          markerShown[i] = match;
        }
      }
      const shown = { assets, tenants: tenants.size };
      let said;
      if (complete) said = matchCountText(shown, total, terms.length > 0);
      else if (appliedTerms === serverTerms) said = serverCount;
      else said = matchCountText(shown, shown, false) + ' on this page match: press Enter to search every page';
      // Text is written only when it changes: an unchanged write still costs a layout (and a screen reader announcement).
      if (count.textContent !== said) count.textContent = said;
      if (empty.hasAttribute('hidden') !== lines > 0) empty.toggleAttribute('hidden', lines > 0);
      if (lines === 0) empty.textContent = 'Nothing' + (complete ? '' : ' on this page') + ' matches “' + filter.value.trim() + '”.';
    };
    filter.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 50);
    });
    filter.form.addEventListener('submit', (event) => {
      // Every line is here: nothing to ask the server. Otherwise Enter searches every page (?q=).
      if (!complete) return;
      event.preventDefault();
      clearTimeout(timer);
      apply();
    });
  }

  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  // An action's JSON answer in its result area: the outcome or the refusal, then every check.
  const show = (result, status, body) => {
    let head;
    let cls = 'fail';
    if (body && body.error) {
      head = 'Refused (HTTP ' + status + '): ' + body.error.code + ' — ' + body.error.message + (body.error.correlationId ? ' (correlation id ' + body.error.correlationId + ')' : '');
    } else if (body && body.outcome) {
      head = 'Outcome: ' + body.outcome + ' — ' + (body.message || '');
      cls = 'pass';
    } else {
      head = 'Unexpected answer: HTTP ' + status + (status === 401 || status === 403 ? ' (the renewal endpoint did not accept this request)' : '') + '.';
    }
    result.replaceChildren(el('p', head, cls));
    if (body && Array.isArray(body.checks) && body.checks.length > 0) {
      const list = el('ol');
      for (const check of body.checks) {
        const item = el('li', undefined, check.ok ? 'pass' : 'fail');
        item.value = Number(check.step) || 0;
        item.append(el('strong', (check.ok ? '✓ passed: ' : '✗ failed: ') + check.check), el('span', ' — ' + check.detail));
        list.append(item);
      }
      result.append(list);
    }
  };
  // Posts a form's fields as JSON to its own route (same origin); a key field travels as the
  // x-functions-key header, never in the body.
  const post = async (form, body, result, pending) => {
    const fieldset = form.querySelector('fieldset');
    const headers = { 'content-type': 'application/json' };
    if (form.elements.key) headers['x-functions-key'] = form.elements.key.value;
    fieldset.disabled = true;
    result.replaceChildren(el('p', pending));
    try {
      const response = await fetch(form.action, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
      const json = (response.headers.get('content-type') || '').includes('json') ? await response.json() : null;
      show(result, response.status, json);
      return response.ok;
    } catch (error) {
      result.replaceChildren(el('p', 'The request failed: ' + (error && error.message ? error.message : String(error)), 'fail'));
      return false;
    } finally {
      fieldset.disabled = false;
    }
  };

  const form = document.getElementById('dryrun');
  if (form) {
    const result = document.getElementById('dryrun-result');
    // The attempt is in the audit trail now: the trail and "Last renewal" are re-read as the server
    // renders them (the same escaped page a reload gives), never rebuilt here from the answer.
    const refreshAudit = async () => {
      const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      // A template's content is inert: nothing in it loads, runs or styles this page.
      const fresh = document.createElement('template');
      fresh.innerHTML = await response.text();
      for (const id of ['audit-section', 'last-renewal']) {
        const next = fresh.content.getElementById(id);
        const current = document.getElementById(id);
        if (next && current) current.replaceWith(document.importNode(next, true));
      }
    };
    form.querySelector('fieldset').disabled = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { dryRun: true, tenantId: form.elements.tenantId.value };
      const secretName = form.elements.secretName.value.trim();
      if (secretName !== '') body.secretName = secretName;
      await post(form, body, result, 'Running the checks…');
      try {
        await refreshAudit();
      } catch (error) {
        result.append(el('p', 'The audit trail below could not be refreshed (' + (error && error.message ? error.message : String(error)) + '): reload the page to see this attempt.', 'fail'));
      }
    });
  }

  // Renewal proposals: approve (the upload), reject, propose. Each answer lands in the proposal's
  // result area, with a link to see the page as it now is.
  for (const action of document.querySelectorAll('form.proposal-action')) {
    const result = document.getElementById(action.getAttribute('data-result'));
    action.querySelector('fieldset').disabled = false;
    action.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = {};
      for (const name of ['id', 'reason', 'tenantId']) if (action.elements[name]) body[name] = action.elements[name].value.trim();
      if (await post(action, body, result, 'Working…')) {
        const again = el('a', 'Show the page as it is now');
        again.href = location.pathname + location.search;
        result.append(el('p'));
        result.lastChild.append(again);
      }
    });
  }
})();
`.concat(ACKNOWLEDGEMENT_SCRIPT);
