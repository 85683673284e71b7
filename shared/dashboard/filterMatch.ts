/**
 * What the fleet filter matches, defined once for both sides: the server (`?q=`, the page without
 * JavaScript) calls these functions, and the page's script embeds their own source text
 * (dashboardScript). They must therefore stay self-contained plain functions: no imports, no
 * variables from outside, nothing TypeScript leaves behind when it compiles them.
 */

/** A query as the terms every row must contain: lower case, split on whitespace ("contoso  VPP" → ["contoso", "vpp"]). */
export function filterTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '');
}

/** True when the row's text (lower case already) contains every term, in any order; no term matches everything. */
export function matchesTerms(text: string, terms: readonly string[]): boolean {
  for (const term of terms) {
    if (!text.includes(term)) return false;
  }
  return true;
}

/**
 * What the filter's count says (tenants or assets, never "rows"): the whole list, or how much of it
 * matches. A "No data" row is a tenant without an asset; a tenant's OK line counts each of its assets.
 */
export function matchCountText(shown: { assets: number; tenants: number }, total: { assets: number; tenants: number }, filtered: boolean): string {
  const count = (n: number, unit: string) => `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
  if (!filtered) return `${count(total.assets, 'asset')} in ${count(total.tenants, 'tenant')}`;
  return `${shown.assets.toLocaleString('en-US')} of ${count(total.assets, 'asset')}, in ${shown.tenants.toLocaleString('en-US')} of ${count(total.tenants, 'tenant')}, match`;
}
