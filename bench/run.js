#!/usr/bin/env node
'use strict';
// npm run bench: every figure of SPEC §8, §11 and §12 beside its baseline measured in the same run,
// with min / median / max where runs repeat, and the target beside it (met / NOT met). Benchmarks
// print figures; they fail (exit 1) only when a run is broken, never because a target is missed.
// Starts its own simulators, Azurite and latency proxies on free loopback ports, and stops them.
const os = require('node:os');
const { mkdtempSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const tls = require('node:tls');
const { summarize, spread, printTable, verdict } = require('./lib/stats');

const RUNS = Number(process.env.BENCH_RUNS || 5);
const out = (text) => process.stdout.write(text);
const med = (values) => summarize(values).median;
const ms = (values) => spread(values, 'ms');
const mb = (values) => spread(values, 'MB');
const s = (valuesMs) => spread(valuesMs.map((v) => v / 1000), 's', 1);
const pick = (samples, key) => samples.map((x) => x[key]);

// The default pool (APNS_FLEET_CONCURRENCY), as the product's settings list has it.
const DEFAULT_POOL = Number(require('../dist/shared/config/settings').SETTINGS.find((x) => x.name === 'APNS_FLEET_CONCURRENCY').default);
// The pools around the knee, with Entra 100 ms away too (each tenant then costs two round trips in turn).
const CURVE = [8, 16, 24, 32, 48, 64];

const FLEET_CONFIGS = [
  { key: 'seq', label: 'pool 1 (sequential baseline): 50-tenant sample', concurrency: 1, sample: 50, runs: 1 },
  { key: 'p32', label: 'pool 32', concurrency: 32 },
  { key: 'b32', label: 'pool 32, baseline client (tokens and batches over fetch, nothing else), in turn with pool 32', concurrency: 32, baseline: true, pairWith: 'p32' },
  { key: 'r32', label: 'pool 32, read path only (--no-notify: no state, no alerts), in turn with pool 32', concurrency: 32, flags: ['--no-notify'], pairWith: 'p32' },
  { key: 'file', label: "pool 32, state in the CLI's file (--state-file), in turn with pool 32", concurrency: 32, state: 'file', pairWith: 'p32' },
  { key: 'p64', label: 'pool 64', concurrency: 64, runs: 1 },
  { key: 'b64', label: 'pool 64, baseline client', concurrency: 64, baseline: true, pairWith: 'p64' },
  { key: 'p8', label: 'pool 8 (the default before issue 20)', concurrency: 8, runs: 1 },
  { key: 'all', label: 'pool 1,000 (all at once baseline)', concurrency: 1000, runs: 1 },
  ...CURVE.map((pool) => ({ key: `e${pool}`, label: `pool ${pool}, Entra also 100 ms RTT`, concurrency: pool, entraRttMs: 100, runs: 1 })),
  { key: `be${DEFAULT_POOL}`, label: `pool ${DEFAULT_POOL}, Entra also 100 ms RTT, baseline client`, concurrency: DEFAULT_POOL, entraRttMs: 100, baseline: true, pairWith: `e${DEFAULT_POOL}` },
];
if (!FLEET_CONFIGS.some((c) => c.key === `p${DEFAULT_POOL}`)) FLEET_CONFIGS.push({ key: `p${DEFAULT_POOL}`, label: `pool ${DEFAULT_POOL} (default)`, concurrency: DEFAULT_POOL, runs: 1 });
for (const c of FLEET_CONFIGS) if (c.concurrency === DEFAULT_POOL && !c.baseline && !c.flags && !c.state && !c.sample) c.label += ' (default APNS_FLEET_CONCURRENCY)';

// `BENCH_ONLY=fleet,queue` runs those sections only (fleet, enqueue, queue, check, cold, render, page, filter, cli, tail);
// `BENCH_TAIL=20` adds 20 runs at pool 8 (the old default) for the tail of issue 20.
const ONLY = new Set((process.env.BENCH_ONLY || '').split(',').map((x) => x.trim()).filter(Boolean));
const wanted = (section) => ONLY.size === 0 || ONLY.has(section);
const TAIL_RUNS = Number(process.env.BENCH_TAIL || 0);

async function main() {
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error(`the benchmarks need Node.js >= 22.19 (this is ${process.version}); run them with "npm run bench", which uses the project's Node.`);
  }
  const { makeCa } = require('./lib/sims');
  const { startAzurite } = require('./lib/azurite');
  const { fleetBench } = require('./fleet');
  const { queueBench } = require('./queue');
  const { enqueueBench } = require('./enqueue');
  const { checkBench, transportBench } = require('./check');
  const { moduleLoad, firstInvocation } = require('./coldStart');
  const { renderBench } = require('./render');
  const { cliLoadBench } = require('./cliLoad');
  const { pageBench } = require('./page');
  const { filterBench } = require('./filter');

  const started = Date.now();
  const cpus = os.cpus();
  out(`bench ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GB, load ${os.loadavg()[0].toFixed(2)} before.\n`);
  out('a / b / c = min / median / max over the runs (n); met / NOT met on the median; baselines from this same run; simulators, Azurite and the measured process share the cores.\n');

  const dir = mkdtempSync(join(os.tmpdir(), 'apns-bench-'));
  const ca = makeCa(dir);
  // Table Storage for the fleet's state and the first invocation (the enqueue and queue benches start their own).
  const azurite = await startAzurite(dir, ['table']);
  const summary = [];
  let fleet;
  try {
    if (wanted('fleet')) {
      fleet = await fleetBench({ tls: ca.tls, caPath: ca.caPath, storage: azurite.connectionString, azuritePid: azurite.table.pid, runs: Math.max(3, Math.ceil(RUNS / 2)), configs: FLEET_CONFIGS });
      reportFleet(fleet, summary);
    }
    if (TAIL_RUNS > 0 || ONLY.has('tail')) {
      const tail = await fleetBench({ tls: ca.tls, caPath: ca.caPath, storage: azurite.connectionString, azuritePid: azurite.table.pid, runs: TAIL_RUNS || 20, configs: [{ key: 'p8', label: 'pool 8', concurrency: 8 }] });
      reportTail(tail, summary);
    }
    if (wanted('enqueue')) reportEnqueue(await enqueueBench({ dir, tenants: 1000, runs: RUNS }), summary);
    if (wanted('queue')) reportQueue(await queueBench({ dir, tls: ca.tls, caPath: ca.caPath, runs: Math.max(3, Math.ceil(RUNS / 2)) }), fleet, summary);
    if (wanted('check')) {
      const check = await checkBench({ tls: ca.tls, caPath: ca.caPath, latencies: [100, 400], coldRuns: RUNS, warmRuns: 2, baselineRuns: 3 });
      const transport = await transportBench({ tls: ca.tls, caPath: ca.caPath, latencies: [100, 400], runs: RUNS });
      reportCheck(check, transport, summary);
    }
    if (wanted('cold')) {
      const load = await moduleLoad(RUNS);
      const first = await firstInvocation({ tls: ca.tls, caPath: ca.caPath, storage: azurite.connectionString, runs: RUNS });
      reportColdStart(load, first, summary);
    }
    let render;
    if (wanted('render') || wanted('page')) {
      render = await renderBench({ sizes: [100, 1000], warmup: 10, runs: 30 });
      reportRender(render, summary);
    }
    if (wanted('page')) {
      const page = await pageBench({ dir, storage: azurite.connectionString, tenants: 1000, runs: RUNS, baselineRuns: 1 });
      reportPage(page, render, summary);
    }
    if (wanted('filter')) reportFilter(await filterBench({ tenants: 1000, rounds: Math.max(3, RUNS) }), summary);
    if (wanted('cli')) reportCli(await cliLoadBench({ runs: RUNS }), summary);
  } finally {
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  out('\nREADME table:\n| figure | target | measured (min / median / max) | baseline (same run) | |\n|---|---|---|---|---|\n');
  for (const row of summary) out(`| ${row.join(' | ')} |\n`);
  out(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s, load ${os.loadavg()[0].toFixed(2)} after.\n`);
}

const section = (title, header, rows) => {
  out(`\n${title}\n`);
  printTable(out, header, rows);
};

function reportFleet(fleet, summary) {
  const num = (v) => (Number.isFinite(v) ? v : NaN);
  const rows = fleet.results.map((r) => {
    const x = r.samples;
    const scale = r.sample ? fleet.tenants / r.sample : 1;
    const perTenant = (v) => v / (r.sample ?? fleet.tenants);
    return [
      r.label,
      `${s(pick(x, 'wallMs').map((v) => v * scale))}${r.sample ? ` (×${scale})` : ''}`,
      spread(pick(x, 'cpuMs').map(perTenant), 'ms', 2),
      mb(pick(x, 'maxRssMb')),
      r.baseline ? '—' : `${ms(pick(x, 'stallMaxMs').map(num))} (${ms(pick(x, 'steadyStallMaxMs').map(num))})`,
      `${s(pick(x, 'simulatorsCpuMs'))} | ${s(pick(x, 'azuriteCpuMs'))}`,
      `${Math.max(...pick(x, 'maxV1BatchesPerTenant'))}+${Math.max(...pick(x, 'maxBetaBatchesPerTenant'))} / ${Math.max(...pick(x, 'maxTokensPerTenant'))} (+${med(pick(x, 'metadataRequests'))} md, ${Math.max(...pick(x, 'managedIdentityRequests'))} MI)`,
      `${med(pick(x, 'graphConnections'))}/${med(pick(x, 'graphRequests'))}  ${med(pick(x, 'entraConnections'))}/${med(pick(x, 'entraRequests'))}`,
    ];
  });
  section(
    `1. Fleet (§11, issue 20): ${fleet.tenants} tenants, Graph +${fleet.graphLatencyMs} ms/request, a token per tenant (Entra sim, client assertion = MI token), \`apns-monitor check\` in a fresh process, state in Table Storage (Azurite), 60 alerts to a local webhook`,
    ['run', 'wall', 'CPU per tenant', 'peak RSS', 'worst stall (after 1st tenant)', 'CPU: sims | Azurite', '$batch v1+beta / token per tenant', 'conn/req Graph  Entra'],
    rows,
  );
  out('   sequential = a 50-tenant run ×20; md = OpenID metadata requests (MSAL asked per tenant of a non-Microsoft authority before issue 20); the baseline client has no state, report or alerts.\n');
  const by = Object.fromEntries(fleet.results.map((r) => [r.key, r.samples]));
  const wall = (k) => pick(by[k] ?? [], 'wallMs');
  const cpuPerTenant = (k) => pick(by[k], 'cpuMs').map((v) => v / fleet.tenants);
  const seqWall = pick(by.seq, 'wallMs').map((v) => v * (fleet.tenants / 50));
  const all = fleet.results.filter((r) => !r.baseline).flatMap((r) => r.samples);
  const dflt = by[`p${DEFAULT_POOL}`];
  const p32 = by.p32;
  // Each product run against the baseline run beside it (A B A B …): the ratio of their CPU time.
  const ratios = (a, b) => by[a].map((x, i) => x.cpuMs / by[b][i].cpuMs);
  const reused = med(pick(p32, 'graphConnections')) * 10 < med(pick(p32, 'graphRequests')) && med(pick(p32, 'entraConnections')) * 10 < med(pick(p32, 'entraRequests'));
  const curve = CURVE.map((pool) => `${pool}: ${s(wall(`e${pool}`))}, ${mb(pick(by[`e${pool}`], 'maxRssMb'))}`).join('; ');
  summary.push(
    [`fleet 1,000 tenants: wall, default pool ${DEFAULT_POOL}`, '≤ 10 s', s(pick(dflt, 'wallMs')), `baseline client ${s(wall(`b${DEFAULT_POOL}`) ?? [])}; pool 8 (the old default) ${s(wall('p8'))}; sequential ${s(seqWall)} (×20 sample); all at once ${s(wall('all'))}`, verdict(med(pick(dflt, 'wallMs')), 10_000)],
    [`fleet: wall, default pool ${DEFAULT_POOL}, Entra also 100 ms away`, '≤ 10 s', s(wall(`e${DEFAULT_POOL}`)), `baseline client ${s(wall(`be${DEFAULT_POOL}`))}; the curve (wall, RSS) by pool — ${curve}`, verdict(med(wall(`e${DEFAULT_POOL}`)), 10_000)],
    ['fleet: CPU per tenant, pool 32; pool 64', '≤ 1.5 × the baseline client', `${spread(cpuPerTenant('p32'), 'ms', 2)}, ×${spread(ratios('p32', 'b32'), '', 2)}; ${spread(cpuPerTenant('p64'), 'ms', 2)}, ×${spread(ratios('p64', 'b64'), '', 2)}`, `baseline client ${spread(cpuPerTenant('b32'), 'ms', 2)}; ${spread(cpuPerTenant('b64'), 'ms', 2)}; read path alone (--no-notify) ${spread(cpuPerTenant('r32'), 'ms', 2)}, ×${spread(ratios('r32', 'b32'), '', 2)}`, `${verdict(med(ratios('p32', 'b32')), 1.5)}; ${verdict(med(ratios('p64', 'b64')), 1.5)}`],
    ['fleet: wall, pool 32; pool 64', '≤ 10 s', `${s(wall('p32'))}; ${s(wall('p64'))}`, `baseline client ${s(wall('b32'))}; ${s(wall('b64'))}`, `${verdict(med(wall('p32')), 10_000)}; ${verdict(med(wall('p64')), 10_000)}`],
    [`fleet: peak RSS, default pool ${DEFAULT_POOL}; pool 64`, '≤ 250 MB', `${mb(pick(dflt, 'maxRssMb'))}; ${mb(pick(by.p64, 'maxRssMb'))}`, `baseline client ${mb(pick(by[`b${DEFAULT_POOL}`] ?? [], 'maxRssMb'))}; all at once ${mb(pick(by.all, 'maxRssMb'))}`, `${verdict(med(pick(dflt, 'maxRssMb')), 250)}; ${verdict(med(pick(by.p64, 'maxRssMb')), 250)}`],
    [`fleet: worst event-loop stall, default pool ${DEFAULT_POOL}`, '≤ 200 ms', ms(pick(dflt, 'stallMaxMs')), `all at once ${ms(pick(by.all, 'stallMaxMs'))}`, verdict(med(pick(dflt, 'stallMaxMs')), 200)],
    ['fleet: $batch per tenant per API version; token requests per tenant', '≤ 1; 1', `${Math.max(...pick(all, 'maxV1BatchesPerTenant'), ...pick(all, 'maxBetaBatchesPerTenant'))}; ${Math.max(...pick(all, 'maxTokensPerTenant'))}`, `OpenID metadata requests: ${Math.max(...pick(all, 'metadataRequests'))}`, Math.max(...pick(all, 'maxV1BatchesPerTenant'), ...pick(all, 'maxBetaBatchesPerTenant'), ...pick(all, 'maxTokensPerTenant')) === 1 ? 'met' : 'NOT met'],
    ['fleet: connections, pool 32', 'reused', `Graph ${med(pick(p32, 'graphConnections'))} for ${med(pick(p32, 'graphRequests'))} requests; Entra ${med(pick(p32, 'entraConnections'))} for ${med(pick(p32, 'entraRequests'))}`, `all at once: Graph ${med(pick(by.all, 'graphConnections'))}; Entra ${med(pick(by.all, 'entraConnections'))}`, reused ? 'met' : 'NOT met'],
    fileVsTable(by),
  );
}

/** Issue 20's tail (2 of 10 pool-8 runs took ~22 s instead of 7.5 s): many runs, their p99 and the slowest's anatomy. */
function reportTail(tail, summary) {
  const x = tail.results[0].samples;
  const walls = pick(x, 'wallMs').sort((a, b) => a - b);
  const p99 = walls[Math.min(walls.length - 1, Math.ceil(0.99 * walls.length) - 1)];
  const slowest = x.find((r) => r.wallMs === walls[walls.length - 1]);
  section(`1b. The pool-8 tail (issue 20): ${x.length} runs of 1,000 tenants at pool 8`, ['runs', 'wall min / median / max', 'p99', 'CPU time', 'load average (1 min) at the start', 'slowest run: CPU; load; longest gap between two tenants done; done at 10/50/90/100 %'], [
    [
      String(x.length),
      s(walls),
      `${(p99 / 1000).toFixed(1)} s`,
      s(pick(x, 'cpuMs')),
      spread(pick(x, 'loadBefore'), '', 1),
      `${(slowest.cpuMs / 1000).toFixed(1)} s; ${slowest.loadBefore.toFixed(1)}; ${Math.round(slowest.longestGapMs)} ms; ${slowest.doneAtDeciles.map((v) => (v / 1000).toFixed(1)).join(' / ')} s`,
    ],
  ]);
  // Wall time against the machine's load: the product's own work (its CPU time) stays the same.
  const loads = pick(x, 'loadBefore');
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mw, ml] = [mean(pick(x, 'wallMs')), mean(loads)];
  const cov = mean(x.map((r) => (r.wallMs - mw) * (r.loadBefore - ml)));
  const corr = cov / Math.sqrt(mean(x.map((r) => (r.wallMs - mw) ** 2)) * mean(loads.map((l) => (l - ml) ** 2)));
  out(`   Correlation of wall time with the load average: ${Number.isFinite(corr) ? corr.toFixed(2) : 'n/a'}; CPU time varies ${spread(pick(x, 'cpuMs').map((v) => v / med(pick(x, 'cpuMs'))), '×', 2)} of its median while wall varies ${spread(walls.map((v) => v / med(walls)), '×', 2)}.\n`);
  summary.push([`fleet, pool 8: tail over ${x.length} runs`, 'p99 ≤ 1.5 × median', `p99 ${(p99 / 1000).toFixed(1)} s, median ${(med(walls) / 1000).toFixed(1)} s`, 'issue 20: 2 of 10 runs ~22 s, 7.5 s otherwise', verdict(p99, 1.5 * med(walls))]);
}

/**
 * The CLI's state file beside Table Storage (issue 20: within 1.25×), each file run paired with the
 * Table run before it; what the process read and wrote (its system calls, sockets included) beside.
 */
function fileVsTable(by) {
  const ratios = by.file.map((f, i) => f.wallMs / by.p32[i].wallMs);
  const io = (x) => (x.every((r) => r.io) ? `; I/O ${mb(x.map((r) => r.io.read))} read, ${mb(x.map((r) => r.io.written))} written` : '');
  return [
    'fleet: wall, CLI state file (journal), pool 32',
    '≤ 1.25 × Table Storage',
    `${s(pick(by.file, 'wallMs'))}, ×${spread(ratios, '', 2)} of Table${io(by.file)}`,
    `Table Storage ${s(pick(by.p32, 'wallMs'))}${io(by.p32)}; before (the whole file rewritten per save): 19.7 s on 2026-12-04, 36.5 s on 2026-11-23`,
    verdict(med(ratios), 1.25),
  ];
}

function reportEnqueue(result, summary) {
  const rows = [];
  const cells = [];
  for (const [label, r] of [['loopback', result.loopback], [`${result.rttMs} ms RTT`, result.remote]]) {
    const cold = r.product.filter((x) => x.cold).map((x) => x.wallMs);
    const warm = r.product.filter((x) => !x.cold).map((x) => x.wallMs);
    const seq = r.sequential.map((x) => x.wallMs * r.scale);
    rows.push([label, ms(cold), ms(warm), `${ms(seq)}${r.scale > 1 ? ` (${result.tenants / r.scale} msgs ×${r.scale})` : ''}`]);
    cells.push({ label, cold, warm, seq });
  }
  section(`2. Enqueue (§11): the fleet timer (checkApnsExpiry) enqueues ${result.tenants} messages on Azurite, direct and through a ${result.rttMs} ms RTT proxy`, ['storage', 'first invocation', `next invocations (n=${cells[0].warm.length})`, 'baseline: one message at a time'], rows);
  summary.push([
    'enqueue 1,000 tenant messages (the timer)',
    '≤ 2 s',
    cells.map((c) => `${c.label}: ${ms(c.warm)}, first ${ms(c.cold)}`).join('; '),
    `one at a time: ${cells.map((c) => `${c.label} ${ms(c.seq)}`).join('; ')}`,
    cells.map((c) => verdict(med(c.warm), 2000)).join('; '),
  ]);
}

function reportQueue(q, fleet, summary) {
  const perMessage = (x) => x.map((r) => r.cpuMs / r.messages);
  const durations = (x) => x.flatMap((r) => r.durations);
  const pct = (values, p) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  };
  const cli = fleet ? fleet.results.find((r) => r.key === 'p32').samples.map((r) => r.cpuMs / fleet.tenants) : [];
  const rows = ['on', 'off'].map((mode) => {
    const x = q.cost[mode];
    const d = durations(x);
    return [`App Insights ${mode}${mode === 'on' ? ' (as deployed)' : ''}`, spread(perMessage(x), 'ms', 2), `${Math.round(pct(d, 0.5))} / ${Math.round(pct(d, 0.9))} ms`, mb(pick(x, 'maxRssMb')), mode === 'on' ? String(med(pick(x, 'telemetryPosts'))) : '—'];
  });
  section(
    `2b. Queue (§11, issue 20): a warm instance (fresh process, ${q.warmUp} messages to warm up, then ${q.cost.on[0].messages} measured, ${q.cost.on[0].concurrency} at once as host.json allows), Graph +${q.graphLatencyMs} ms, state in Table Storage`,
    ['Functions instance', 'CPU per message', 'duration median / p90', 'peak RSS', 'telemetry posts'],
    rows,
  );
  out(`   The CLI, same fleet (section 1, pool 32): ${spread(cli, 'ms', 2)} of CPU per tenant. A message also reads its tenant's state (the CLI reads all states in one query), and an instance the fleet alert's record once per 30 s.\n`);
  section(
    `2c. Drain: ${q.tenants} tenant messages on Azurite, consumed by 1, 2 and 4 instances at once (each a process with the host's queue listener, host.json batch settings), App Insights on`,
    ['instances', 'drain (first receive → queue empty)', 'messages per instance', 'CPU, all instances', 'peak RSS (largest)'],
    q.drain.map((d) => [String(d.instances), `${(d.wallMs / 1000).toFixed(1)} s`, d.perInstance.join(' + '), `${(d.cpuMs / 1000).toFixed(1)} s`, `${Math.round(d.maxRssMb)} MB`]),
  );
  out('   The instances share this machine\'s cores with Azurite and the simulators: in Azure each instance has its own, so the drain falls further there.\n');
  const on = perMessage(q.cost.on);
  const off = perMessage(q.cost.off);
  // Like for like: the CLI's fleet run has no Application Insights, so its cost is set beside the instance's without it.
  const ratio = cli.length > 0 ? med(off) / med(cli) : NaN;
  const cores = os.cpus().length;
  const falls = q.drain.every((d, i) => i === 0 || d.wallMs < q.drain[i - 1].wallMs);
  const cpuBound = q.drain.map((d) => `${(d.cpuMs / cores / 1000).toFixed(1)} s`).join(' / ');
  summary.push(
    ['queue message, warm instance: CPU per message', '≤ 1.1 × the CLI per tenant', `${spread(off, 'ms', 2)}, ×${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}; with App Insights (as deployed) ${spread(on, 'ms', 2)}; duration median ${Math.round(pct(durations(q.cost.on), 0.5))} ms at +${q.graphLatencyMs} ms Graph`, `CLI per tenant (pool 32, no App Insights) ${spread(cli, 'ms', 2)}`, verdict(ratio, 1.1)],
    [
      'drain 1,000 tenant messages: 1 / 2 / 4 instances',
      'falls with instances',
      q.drain.map((d) => `${(d.wallMs / 1000).toFixed(1)} s`).join(' / '),
      `all instances' CPU ÷ ${cores} cores: ${cpuBound}`,
      falls ? 'met' : `NOT met beyond ${q.drain.findIndex((d, i) => i > 0 && d.wallMs >= q.drain[i - 1].wallMs) > 0 ? q.drain[q.drain.findIndex((d, i) => i > 0 && d.wallMs >= q.drain[i - 1].wallMs) - 1].instances : '?'} instances here: they share ${cores} cores with Azurite and the simulators`,
    ],
  );
}

function reportCheck(byLatency, transport, summary) {
  const rows = [];
  for (const { rttMs, modes } of byLatency) {
    // The physical floor of a cold check: TCP + TLS 1.3 + the request, one round trip each (the token
    // comes from the local managed-identity endpoint here: no round trip of its own), then ×1.2 + 50 ms.
    const floor = 3 * rttMs;
    const targets = { cold: floor * 1.2 + 50, warm: 1.5 * rttMs + 50 };
    for (const kind of ['cold', 'warm']) {
      const p = modes.product.filter((c) => c.kind === kind);
      const b = modes.sequential.filter((c) => c.kind === kind);
      const target = targets[kind];
      const targetText = kind === 'cold' ? `≤ floor × 1.2 + 50 = ${target} ms (floor: TCP + TLS + request = ${floor} ms)` : `≤ 1.5 × RTT + 50 = ${target} ms`;
      const unshared = kind === 'cold' ? `; unshared credential: ${Math.max(...pick(modes.unshared, 'tokenRequests'))} token req` : '';
      rows.push([`${rttMs} ms ${kind} (n=${p.length})`, ms(pick(p, 'wallMs')), targetText, verdict(med(pick(p, 'wallMs')), target), `${Math.max(...pick(p, 'v1Batches'))}+${Math.max(...pick(p, 'betaBatches'))} / ${Math.max(...pick(p, 'tokenRequests'))} / ${Math.max(...pick(p, 'connections'))}`, `${ms(pick(b, 'wallMs'))}${unshared}`]);
      summary.push([`one tenant's check, ${kind}, RTT ${rttMs} ms`, targetText, ms(pick(p, 'wallMs')), `one GET per resource in turn ${ms(pick(b, 'wallMs'))}`, verdict(med(pick(p, 'wallMs')), target)]);
    }
  }
  section("3. One tenant's check (§8): the timer's composition, a fresh process per cold sample, RTT on every packet to Graph (handshakes too), MI endpoint local", ['RTT, check', 'wall', 'target', '', '$batch v1+beta / token req / new conn', 'baseline: one GET per resource in turn'], rows);
  const cold = byLatency.flatMap((l) => l.modes.product.filter((c) => c.kind === 'cold'));
  const tokens = Math.max(...pick(cold, 'tokenRequests'));
  const conns = Math.max(...pick(cold, 'connections'));
  const t = transport.map(({ rttMs, modes }) => [`${rttMs} ms`, `${ms(pick(modes.h1, 'wallMs'))} (${med(pick(modes.h1, 'connections'))} conn)`, `${ms(pick(modes.h2, 'wallMs'))} (${med(pick(modes.h2, 'connections'))} conn)`, `${3 * rttMs} ms`]);
  section('3b. The two batches of a cold check, transport alone: two HTTP/1.1 connections in parallel (as sent) or one HTTP/2 connection with two streams', ['RTT', 'HTTP/1.1 × 2 (fetch)', 'HTTP/2 × 1 (node:http2)', 'floor'], t);
  out('   Both pay TCP + TLS + the request: the second connection is opened in parallel, so it costs no wall time, and HTTP/2 saves one handshake of CPU, not a round trip.\n');
  const h2Faster = transport.every(({ modes }) => med(pick(modes.h2, 'wallMs')) < 0.9 * med(pick(modes.h1, 'wallMs')));
  summary.push([
    'one tenant, cold: token requests; connections',
    '1; (not a target: two in parallel, or one HTTP/2 connection if faster)',
    `${tokens}; ${conns}`,
    `unshared credential: ${Math.max(...byLatency.flatMap((l) => pick(l.modes.unshared, 'tokenRequests')))} tokens; two batches cold, HTTP/1.1 × 2 vs HTTP/2 × 1: ${transport.map(({ rttMs, modes }) => `${rttMs} ms RTT ${med(pick(modes.h1, 'wallMs')).toFixed(0)} vs ${med(pick(modes.h2, 'wallMs')).toFixed(0)} ms`).join('; ')}`,
    `${tokens <= 1 ? 'met' : 'NOT met'}; HTTP/2 ${h2Faster ? 'faster: worth it' : 'not faster: two connections kept'}`,
  ]);
}

function reportColdStart(load, first, summary) {
  const noAi = first.withoutAppInsights;
  section(`4. Cold start (§8): fresh node, entry point (${load.registered.length} functions registered); first timer invocation = entry point + one check, App Insights to a local receiver, Table state, Graph +0 ms`, ['figure', 'wall', 'peak RSS', 'baseline: eager imports', 'target'], [
    ['module load (spawn → exit)', ms(pick(load.app, 'wallMs')), mb(pick(load.app, 'rssMb')), `${ms(pick(load.baseline, 'wallMs'))}, ${mb(pick(load.baseline, 'rssMb'))}`, '≤ 300 ms, ≤ 90 MB'],
    ['first invocation (process start → done)', ms(pick(first.app, 'invokedMs')), mb(pick(first.app, 'maxRssMb')), `${ms(pick(first.baseline, 'invokedMs'))}, ${mb(pick(first.baseline, 'maxRssMb'))}`, `≤ 1.3 × App Insights off = ${(1.3 * med(pick(noAi, 'invokedMs'))).toFixed(0)} ms`],
    ['… its telemetry sent (after the invocation)', ms(pick(first.app, 'telemetrySentMs')), '', '', ''],
    ['first invocation, App Insights off', ms(pick(noAi, 'invokedMs')), mb(pick(noAi, 'maxRssMb')), '', '—'],
  ]);
  out(`   The invocation ends with the check: applicationinsights is loaded and the telemetry exported after it (within a second, or by the worker's appTerminate hook) — loaded at the end of the invocation: ${first.app.filter((r) => r.appInsightsAtEnd).length} of ${first.app.length} runs.\n`);
  const ratio = med(pick(first.app, 'invokedMs')) / med(pick(noAi, 'invokedMs'));
  summary.push(
    ['cold start: entry point loaded, wall; peak RSS', '≤ 300 ms; ≤ 90 MB', `${ms(pick(load.app, 'wallMs'))}; ${mb(pick(load.app, 'rssMb'))}`, `eager ${ms(pick(load.baseline, 'wallMs'))}; ${mb(pick(load.baseline, 'rssMb'))}`, `${verdict(med(pick(load.app, 'wallMs')), 300)}; ${verdict(med(pick(load.app, 'rssMb')), 90)}`],
    ['first timer invocation, App Insights on', '≤ 1.3 × App Insights off', `${ms(pick(first.app, 'invokedMs'))}, ×${ratio.toFixed(2)}; its telemetry sent at ${ms(pick(first.app, 'telemetrySentMs'))}`, `App Insights off ${ms(pick(noAi, 'invokedMs'))}; eager imports ${ms(pick(first.baseline, 'invokedMs'))}`, verdict(ratio, 1.3)],
  );
}

function reportRender(render, summary) {
  const big = render.results.find((r) => r.size === 1000);
  const small = render.results.find((r) => r.size === 100);
  section('5. Status page (§12): renderDashboard on a FleetStatusView built by the product (parsers → assessTenant → statusOf), 10 warm-up + 30 timed renders', ['view', 'server time', 'HTML', 'target'], [
    [`fleet, 100 tenants (${small.assets} assets)`, ms(small.fleet.samples), `${(small.fleet.bytes / 1024).toFixed(0)} KB`, ''],
    [`fleet, 1,000 tenants (${big.assets} assets)`, ms(big.fleet.samples), `${(big.fleet.bytes / 1024).toFixed(0)} KB`, `≤ 50 ms: ${verdict(med(big.fleet.samples), 50)}`],
    ['one tenant of 1,000 (?tenant=)', spread(big.tenant.samples, 'ms', 1), `${(big.tenant.bytes / 1024).toFixed(0)} KB`, ''],
  ]);
  summary.push(
    ['status page render, 1,000 tenants × 4 assets', '≤ 50 ms', `${ms(big.fleet.samples)} (${kb(big.fleet.bytes)} of HTML)`, `100 tenants ${ms(small.fleet.samples)}`, verdict(med(big.fleet.samples), 50)],
    [
      'status page HTML, 1,000 tenants (the first page a person gets)',
      '≤ 500 KB',
      kb(big.fleet.bytes),
      `every line of the table on one page ${kb(big.onePageBytes)}; before this change (a row per asset, one page): 3,273 KB`,
      verdict(big.fleet.bytes, 500 * 1024),
    ],
  );
}

const kb = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;

function reportFilter(filter, summary) {
  const row = (label, x) => [label, `${x.lines.toLocaleString('en-US')} lines, ${kb(x.bytes)}`, ms(x.typing), ms(x.clearing), ms(x.idle), `${(x.parts.ScriptDuration / x.parts.TaskDuration * 100).toFixed(0)}% / ${(x.parts.RecalcStyleDuration / x.parts.TaskDuration * 100).toFixed(0)}% / ${(x.parts.LayoutDuration / x.parts.TaskDuration * 100).toFixed(0)}%`];
  section(
    `7. Status page filter (§12, issue 20): ${filter.tenants.toLocaleString('en-US')} tenants in headless Chromium (puppeteer-core, @sparticuz/chromium, software rendering, one process), typing "customer 99" and deleting it; per keystroke the renderer's main-thread time from the key press to a frame drawn after the debounced filter ran`,
    ['page', 'size', 'keystroke', 'clearing (last Backspace)', 'the same wait, no key', 'script / style / layout of it'],
    [row('first page (what a person gets)', filter.first), row('baseline: every line on one page', filter.all)],
  );
  out('   The rest of a keystroke is Chromium painting and rastering in software. Before (a row per asset, 3,000 rows): 31–73 ms per keystroke, 0.7–0.8 s to clear (issue 20).\n');
  summary.push([
    'status page filter, per keystroke, 1,000 tenants (Chromium)',
    '≤ 16 ms median',
    `${ms(filter.first.typing)}; clearing ${ms(filter.first.clearing)}`,
    `every line on one page: ${ms(filter.all.typing)}, clearing ${ms(filter.all.clearing)}; before: 31–73 ms, clearing 0.7–0.8 s`,
    verdict(med(filter.first.typing), 16),
  ]);
}

function reportPage(page, render, summary) {
  const renderAlone = ms(render.results.find((r) => r.size === page.tenants).fleet.samples);
  const cells = [
    ['Table Storage (Azurite)', page.table],
    ["the CLI's state file", page.file],
  ].map(([label, x]) => ({
    label,
    page: pick(x.page, 'ms'),
    wire: `${kb(x.page[0].bytes)} ${x.page[0].encoding} (${(x.plainBytes / 2 ** 20).toFixed(1)} MB HTML)`,
    status: pick(x.status, 'ms'),
    statusWire: kb(x.status[0].bytes),
    requests: x === page.file ? 'none (one read of the files)' : String(Math.max(...pick(x.page, 'storageRequests'))),
    baseline: `${ms(pick(x.baseline, 'ms'))}, ${x === page.file ? 'the files read per tenant' : `${Math.max(...pick(x.baseline, 'storageRequests'))} storage requests`}`,
  }));
  section(
    `6. Status page request (§12, issue 20): ${page.tenants.toLocaleString('en-US')} tenants, GET /api/apns/dashboard and /api/apns/status through the local server (the deployed handlers) as Chromium asks (Accept-Encoding: gzip, deflate, br, zstd), to the last byte, fresh process; the state written by the product's stores`,
    ['state in', 'page request', 'on the wire', 'status API request', 'storage requests per view', 'baseline: each tenant read on its own, as before'],
    cells.map((c) => [c.label, ms(c.page), c.wire, `${ms(c.status)} (${c.statusWire})`, c.requests, c.baseline]),
  );
  out(`   Render alone (section 5): ${renderAlone}. Baseline: the state and the audit read tenant by tenant (16 at a time), then the render, as the page did before.\n`);
  for (const c of cells) {
    summary.push([`status page request, ${page.tenants.toLocaleString('en-US')} tenants, ${c.label}`, '≤ 200 ms', `${ms(c.page)}; storage requests: ${c.requests}; ${c.wire}`, `as before (per tenant): ${c.baseline}; render alone ${renderAlone}`, verdict(med(c.page), 200)]);
  }
}

function reportCli(cli, summary) {
  const row = (label, x) => [label, ms(pick(x, 'wallMs')), mb(pick(x, 'maxRssMb')), String(med(pick(x, 'modules'))), [...new Set(x.flatMap((r) => r.forbidden))].join(', ') || 'none'];
  section('8. CLI start-up: fresh process, empty directory, no settings', ['command', 'wall (spawn → exit)', 'peak RSS', 'modules', 'demo / simulators / node-forge / puppeteer-core'], [
    row('apns-monitor help', cli.help),
    row('apns-monitor check (exit 3, APNS UNKNOWN)', cli.check),
    row('baseline: every command eager, then help', cli.baseline),
  ]);
  const forbidden = [...new Set([...cli.help, ...cli.check].flatMap((r) => r.forbidden))];
  summary.push(['CLI start-up (fresh process)', 'no demo, simulators, node-forge', `help ${ms(pick(cli.help, 'wallMs'))}; check ${ms(pick(cli.check, 'wallMs'))}`, `every command eager ${ms(pick(cli.baseline, 'wallMs'))}`, forbidden.length === 0 ? 'met' : `NOT met (${forbidden.join(', ')})`]);
}

// Ctrl-C: exit through process 'exit', where the Azurite children are killed.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack || error}\n`);
  process.exitCode = 1;
});
