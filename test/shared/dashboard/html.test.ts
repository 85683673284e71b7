import { escapeHtml, html, raw } from '../../../shared/dashboard/html';

describe('html (the escaping template)', () => {
  test('when a value is interpolated, markup characters become entities in text and in quoted attributes', () => {
    const name = `"><img src=x onerror=alert(1)> & 'x' \`y\``;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39; &#96;y&#96;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39; &#96;y&#96;</p>',
    );
  });

  test('when arrays, numbers, nested templates and raw() are interpolated, lists join, templates and raw pass as markup', () => {
    const items = ['<a>', 'b'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${3}${raw('<br>')}`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>3<br>');
  });

  test('when null, undefined or false is interpolated, nothing renders', () => {
    expect(html`a${null}b${undefined}c${false}d`.value).toBe('abcd');
  });

  test('when an attribute value is not quoted, the template refuses to build (a space in data would start a new attribute)', () => {
    expect(() => html`<a href=${'x onmouseover=alert(1)'}>`).toThrow('must be quoted');
  });

  test('when text is escaped on its own, the five HTML-significant characters and the backtick are covered', () => {
    expect(escapeHtml(`<>&"'\``)).toBe('&lt;&gt;&amp;&quot;&#39;&#96;');
  });
});
