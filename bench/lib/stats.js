'use strict';
// Small helpers for the benchmark report: spreads (min/median/max) and a plain-text table.

function summarize(values) {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { min: NaN, median: NaN, max: NaN, n: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1], n: s.length };
}

/** `12 ms` for one value, `10 / 12 / 15 ms` (min / median / max) for several. */
function spread(values, unit = 'ms', digits = 0) {
  const list = Array.isArray(values) ? values : [values];
  const s = summarize(list);
  const f = (v) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
  const text = s.n <= 1 ? f(s.median) : `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
  return unit ? `${text} ${unit}` : text;
}

function printTable(out, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  out(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) out(`${line(r)}\n`);
}

/** "met" / "NOT met" for a value against an upper bound. */
const verdict = (value, limit) => (Number.isFinite(value) && value <= limit ? 'met' : 'NOT met');

module.exports = { summarize, spread, printTable, verdict };
