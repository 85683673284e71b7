#!/usr/bin/env node
'use strict';
// npm run bench: each figure is the median of several runs, printed beside its baseline measured
// in the same run, with the ratio and the target of SPEC §8. Exits 1 when a target is missed.
const { coldStart } = require('./coldStart');
const { checkBench } = require('./check');

const RUNS = Number(process.env.BENCH_RUNS || 7);
const LATENCY_MS = 50;

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function main() {
  process.stdout.write(`node ${process.version}, ${RUNS} runs per figure (medians)\n\n`);
  const cold = await coldStart(RUNS);
  const check = await checkBench(RUNS, LATENCY_MS);
  const checkTarget = 1.5 * LATENCY_MS + 50;
  const rows = [
    ['cold start: wall (entry point, all functions registered)', median(cold.app.map((s) => s.wallMs)), median(cold.baseline.map((s) => s.wallMs)), 'ms', 300],
    ['cold start: peak RSS', median(cold.app.map((s) => s.rssMb)), median(cold.baseline.map((s) => s.rssMb)), 'MB', 90],
    ['check: Graph HTTP requests (token excluded)', median(check.batched.map((s) => s.requests)), median(check.unbatched.map((s) => s.requests)), '', 2],
    [`check: wall with ${LATENCY_MS} ms per Graph request`, median(check.batched.map((s) => s.wallMs)), median(check.unbatched.map((s) => s.wallMs)), 'ms', checkTarget],
  ];
  const fmt = (v, unit) => `${unit === '' ? v.toFixed(0) : v.toFixed(unit === 'MB' ? 1 : 0)}${unit ? ` ${unit}` : ''}`;
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target', ''];
  const lines = rows.map(([name, value, base, unit, target]) => [name, fmt(value, unit), fmt(base, unit), (value / base).toFixed(2), `≤ ${fmt(target, unit)}`, value <= target ? 'ok' : 'MISSED']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines]) process.stdout.write(`${line.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
  process.stdout.write(`\nbaselines: cold start = a process importing every dependency eagerly (${cold.deps.join(', ')}); check = one GET per resource, in turn, no $batch\n`);
  process.stdout.write(`functions registered by the entry point: ${cold.registered.join(', ')}\n`);
  const missed = lines.filter((l) => l[5] !== 'ok');
  if (cold.registered.length !== 4) missed.push(['registration']);
  if (missed.length > 0) {
    process.stdout.write(`\n${missed.length} target(s) missed.\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack || error}\n`);
  process.exitCode = 1;
});
