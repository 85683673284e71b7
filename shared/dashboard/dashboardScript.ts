/**
 * The page's only script (inline, nonce'd): progressive enhancement. Without it the table is
 * complete and the filter box still works as a GET form; the dry-run form and the decisions on
 * renewal proposals need it (they post JSON).
 * Everything that comes back from the server is shown with textContent, never as markup.
 */
export const DASHBOARD_SCRIPT = `
(() => {
  const filter = document.getElementById('filter');
  if (filter) {
    const items = Array.from(document.querySelectorAll('[data-filter]'));
    const rows = items.filter((el) => el.tagName === 'TR');
    const count = document.getElementById('filter-count');
    const apply = () => {
      const q = filter.value.trim().toLowerCase();
      let shown = 0;
      for (const el of items) {
        const match = q === '' || el.getAttribute('data-filter').includes(q);
        if (match) el.removeAttribute('hidden'); else el.setAttribute('hidden', '');
        if (match && el.tagName === 'TR') shown++;
      }
      count.textContent = q === '' ? rows.length + ' rows' : shown + ' of ' + rows.length + ' rows match';
    };
    filter.addEventListener('input', apply);
    filter.form.addEventListener('submit', (event) => { event.preventDefault(); apply(); });
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
    form.querySelector('fieldset').disabled = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { dryRun: true, tenantId: form.elements.tenantId.value };
      const secretName = form.elements.secretName.value.trim();
      if (secretName !== '') body.secretName = secretName;
      await post(form, body, result, 'Running the checks…');
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
`;
