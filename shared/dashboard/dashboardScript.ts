import { ACKNOWLEDGEMENT_SCRIPT } from './renderAcknowledgements';

/**
 * The page's only script (inline, nonce'd): progressive enhancement. Without it the table is
 * complete and the filter box still works as a GET form; the dry-run form needs it (it posts JSON).
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

  const form = document.getElementById('dryrun');
  if (form) {
    const fieldset = form.querySelector('fieldset');
    const result = document.getElementById('dryrun-result');
    const el = (tag, text, cls) => {
      const node = document.createElement(tag);
      if (text !== undefined) node.textContent = String(text);
      if (cls) node.className = cls;
      return node;
    };
    const show = (status, body) => {
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
    fieldset.disabled = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { dryRun: true, tenantId: form.elements.tenantId.value };
      const secretName = form.elements.secretName.value.trim();
      if (secretName !== '') body.secretName = secretName;
      fieldset.disabled = true;
      result.replaceChildren(el('p', 'Running the checks…'));
      try {
        const response = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
        const json = (response.headers.get('content-type') || '').includes('json') ? await response.json() : null;
        show(response.status, json);
      } catch (error) {
        result.replaceChildren(el('p', 'The request failed: ' + (error && error.message ? error.message : String(error)), 'fail'));
      } finally {
        fieldset.disabled = false;
      }
    });
  }
})();
`.concat(ACKNOWLEDGEMENT_SCRIPT);
