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

const FLEET_CONFIGS = [
  { key: 'seq', label: 'pool 1 (sequential baseline): 50-tenant sample', concurrency: 1, sample: 50, runs: 1 },
  { key: 'p8', label: 'pool 8 (default APNS_FLEET_CONCURRENCY)', concurrency: 8, runs: 1 },
  { key: 'p32', label: 'pool 32', concurrency: 32 },
  { key: 'p64', label: 'pool 64', concurrency: 64, runs: 1 },
  { key: 'all', label: 'pool 1,000 (all at once baseline)', concurrency: 1000, runs: 1 },
  { key: 'e32', label: 'pool 32, Entra also 100 ms RTT', concurrency: 32, entraRttMs: 100, runs: 1 },
  { key: 'e64', label: 'pool 64, Entra also 100 ms RTT', concurrency: 64, entraRttMs: 100, runs: 1 },
  { key: 'file', label: "pool 32, state in the CLI's file (--state-file), in turn with pool 32", concurrency: 32, state: 'file', pairWith: 'p32' },
];

async function main() {
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error(`the benchmarks need Node.js >= 22.19 (this is ${process.version}); run them with "npm run bench", which uses the project's Node.`);
  }
  const { makeCa } = require('./lib/sims');
  const { startAzurite } = require('./lib/azurite');
  const { fleetBench } = require('./fleet');
  const { enqueueBench } = require('./enqueue');
  const { checkBench } = require('./check');
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
  // Table Storage for the fleet's state and the first invocation (the enqueue bench starts its own queues).
  const azurite = await startAzurite(dir, ['table']);
  const summary = [];
  try {
    const fleet = await fleetBench({ tls: ca.tls, caPath: ca.caPath, storage: azurite.connectionString, azuritePid: azurite.table.pid, runs: Math.max(3, Math.ceil(RUNS / 2)), configs: FLEET_CONFIGS });
    reportFleet(fleet, summary);
    const enqueue = await enqueueBench({ dir, tenants: 1000, runs: RUNS });
    reportEnqueue(enqueue, summary);
    const check = await checkBench({ tls: ca.tls, caPath: ca.caPath, latencies: [100, 400], coldRuns: RUNS, warmRuns: 2, baselineRuns: 3 });
    reportCheck(check, summary);
    const load = await moduleLoad(RUNS);
    const first = await firstInvocation({ tls: ca.tls, caPath: ca.caPath, storage: azurite.connectionString, runs: RUNS });
    reportColdStart(load, first, summary);
    const render = await renderBench({ sizes: [100, 1000], warmup: 10, runs: 30 });
    reportRender(render, summary);
    const page = await pageBench({ dir, storage: azurite.connectionString, tenants: 1000, runs: RUNS, baselineRuns: 1 });
    reportPage(page, render, summary);
    const filter = await filterBench({ tenants: 1000, rounds: Math.max(3, RUNS) });
    reportFilter(filter, summary);
    const cli = await cliLoadBench({ runs: RUNS });
    reportCli(cli, summary);
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
  const rows = fleet.results.map((r) => {
    const x = r.samples;
    const scale = r.sample ? fleet.tenants / r.sample : 1;
    return [
      r.label,
      `${s(pick(x, 'wallMs').map((v) => v * scale))}${r.sample ? ` (×${scale})` : ''}`,
      mb(pick(x, 'maxRssMb')),
      `${ms(pick(x, 'stallMaxMs'))} (${ms(pick(x, 'steadyStallMaxMs'))})`,
      `${s(pick(x, 'cpuMs'))} | ${s(pick(x, 'simulatorsCpuMs'))} | ${s(pick(x, 'azuriteCpuMs'))}`,
      `${Math.max(...pick(x, 'maxV1BatchesPerTenant'))}+${Math.max(...pick(x, 'maxBetaBatchesPerTenant'))} / ${Math.max(...pick(x, 'maxTokensPerTenant'))} (+${med(pick(x, 'metadataRequests'))} md, ${Math.max(...pick(x, 'managedIdentityRequests'))} MI)`,
      `${med(pick(x, 'graphConnections'))}/${med(pick(x, 'graphRequests'))}  ${med(pick(x, 'entraConnections'))}/${med(pick(x, 'entraRequests'))}`,
    ];
  });
  section(
    `1. Fleet (§11): ${fleet.tenants} tenants, Graph +${fleet.graphLatencyMs} ms/request, a token per tenant (Entra sim, client assertion = MI token), \`apns-monitor check\` in a fresh process, state in Table Storage (Azurite), 60 alerts to a local webhook`,
    ['run', 'wall', 'peak RSS', 'worst stall (after 1st tenant)', 'CPU: check | sims | Azurite', '$batch v1+beta / token per tenant', 'conn/req Graph  Entra'],
    rows,
  );
  out('   sequential = a 50-tenant run ×20; md = OpenID metadata, fetched per tenant for a non-Microsoft authority host (MSAL has Microsoft clouds built in).\n');
  const by = Object.fromEntries(fleet.results.map((r) => [r.key, r.samples]));
  const wall = (k) => pick(by[k], 'wallMs');
  const seqWall = pick(by.seq, 'wallMs').map((v) => v * (fleet.tenants / 50));
  const all = fleet.results.flatMap((r) => r.samples);
  const p32 = by.p32;
  const reused = med(pick(p32, 'graphConnections')) * 10 < med(pick(p32, 'graphRequests')) && med(pick(p32, 'entraConnections')) * 10 < med(pick(p32, 'entraRequests'));
  summary.push(
    ['fleet 1,000 tenants: wall, default pool 8', '≤ 10 s', s(wall('p8')), `sequential ${s(seqWall)} (×20 sample); all at once ${s(wall('all'))}`, verdict(med(wall('p8')), 10_000)],
    ['fleet: wall, wider pools', '≤ 10 s', `pool 32: ${s(wall('p32'))}; pool 64: ${s(wall('p64'))}`, '', `${verdict(med(wall('p32')), 10_000)}; ${verdict(med(wall('p64')), 10_000)}`],
    ['fleet: wall, Entra also 100 ms away', '≤ 10 s', `pool 32: ${s(wall('e32'))}; pool 64: ${s(wall('e64'))}`, '', `${verdict(med(wall('e32')), 10_000)}; ${verdict(med(wall('e64')), 10_000)}`],
    ['fleet: peak RSS', '≤ 250 MB', `pool 32: ${mb(pick(p32, 'maxRssMb'))}; pool 64: ${mb(pick(by.p64, 'maxRssMb'))}`, `all at once ${mb(pick(by.all, 'maxRssMb'))}`, `${verdict(med(pick(p32, 'maxRssMb')), 250)}; ${verdict(med(pick(by.p64, 'maxRssMb')), 250)}`],
    ['fleet: worst event-loop stall, pool 32', '≤ 200 ms', ms(pick(p32, 'stallMaxMs')), `all at once ${ms(pick(by.all, 'stallMaxMs'))}`, verdict(med(pick(p32, 'stallMaxMs')), 200)],
    ['fleet: $batch per tenant per API version; token requests per tenant', '≤ 1; 1', `${Math.max(...pick(all, 'maxV1BatchesPerTenant'), ...pick(all, 'maxBetaBatchesPerTenant'))}; ${Math.max(...pick(all, 'maxTokensPerTenant'))}`, '', Math.max(...pick(all, 'maxV1BatchesPerTenant'), ...pick(all, 'maxBetaBatchesPerTenant'), ...pick(all, 'maxTokensPerTenant')) === 1 ? 'met' : 'NOT met'],
    ['fleet: connections, pool 32', 'reused', `Graph ${med(pick(p32, 'graphConnections'))} for ${med(pick(p32, 'graphRequests'))} requests; Entra ${med(pick(p32, 'entraConnections'))} for ${med(pick(p32, 'entraRequests'))}`, `all at once: Graph ${med(pick(by.all, 'graphConnections'))}; Entra ${med(pick(by.all, 'entraConnections'))}`, reused ? 'met' : 'NOT met'],
    fileVsTable(by),
  );
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

function reportCheck(byLatency, summary) {
  const rows = [];
  for (const { rttMs, modes } of byLatency) {
    const target = 1.5 * rttMs + 50;
    for (const kind of ['cold', 'warm']) {
      const p = modes.product.filter((c) => c.kind === kind);
      const b = modes.sequential.filter((c) => c.kind === kind);
      const targetText = kind === 'cold' ? `≤ ${target} ms (floor 3 RTT = ${3 * rttMs})` : `≤ ${target} ms`;
      const unshared = kind === 'cold' ? `; unshared credential: ${Math.max(...pick(modes.unshared, 'tokenRequests'))} token req` : '';
      rows.push([`${rttMs} ms ${kind} (n=${p.length})`, ms(pick(p, 'wallMs')), targetText, verdict(med(pick(p, 'wallMs')), target), `${Math.max(...pick(p, 'v1Batches'))}+${Math.max(...pick(p, 'betaBatches'))} / ${Math.max(...pick(p, 'tokenRequests'))} / ${Math.max(...pick(p, 'connections'))}`, `${ms(pick(b, 'wallMs'))}${unshared}`]);
      summary.push([`one tenant's check, ${kind}, RTT ${rttMs} ms`, targetText, ms(pick(p, 'wallMs')), `one GET per resource in turn ${ms(pick(b, 'wallMs'))}`, verdict(med(pick(p, 'wallMs')), target)]);
    }
  }
  section("3. One tenant's check (§8): the timer's composition, a fresh process per cold sample, RTT on every packet to Graph (handshakes too), MI endpoint local", ['RTT, check', 'wall', 'target', '', '$batch v1+beta / token req / new conn', 'baseline: one GET per resource in turn'], rows);
  out('   A cold HTTPS request costs 3 RTT (TCP, TLS 1.3, request) on any client; the 2 concurrent batches open a connection each (HTTP/1.1), in parallel.\n');
  const cold = byLatency.flatMap((l) => l.modes.product.filter((c) => c.kind === 'cold'));
  const tokens = Math.max(...pick(cold, 'tokenRequests'));
  const conns = Math.max(...pick(cold, 'connections'));
  summary.push(["one tenant, cold: token requests; connections", '1; 1', `${tokens}; ${conns}`, `unshared credential: ${Math.max(...byLatency.flatMap((l) => pick(l.modes.unshared, 'tokenRequests')))} tokens`, `${tokens <= 1 ? 'met' : 'NOT met'}; ${conns <= 1 ? 'met' : 'NOT met'}`]);
}

function reportColdStart(load, first, summary) {
  const noAi = first.withoutAppInsights;
  section(`4. Cold start (§8): fresh node, entry point (${load.registered.length} functions registered); first timer invocation = entry point + one check, App Insights to a local receiver, Table state, Graph +0 ms`, ['figure', 'wall', 'peak RSS', 'baseline: eager imports', 'target'], [
    ['module load (spawn → exit)', ms(pick(load.app, 'wallMs')), mb(pick(load.app, 'rssMb')), `${ms(pick(load.baseline, 'wallMs'))}, ${mb(pick(load.baseline, 'rssMb'))}`, '≤ 300 ms, ≤ 90 MB'],
    ['first invocation (process start → done)', ms(pick(first.app, 'invokedMs')), mb(pick(first.app, 'maxRssMb')), `${ms(pick(first.baseline, 'invokedMs'))}, ${mb(pick(first.baseline, 'maxRssMb'))}`, '—'],
    ['first invocation, App Insights off', ms(pick(noAi, 'invokedMs')), mb(pick(noAi, 'maxRssMb')), '', '—'],
  ]);
  summary.push(
    ['cold start: entry point loaded, wall; peak RSS', '≤ 300 ms; ≤ 90 MB', `${ms(pick(load.app, 'wallMs'))}; ${mb(pick(load.app, 'rssMb'))}`, `eager ${ms(pick(load.baseline, 'wallMs'))}; ${mb(pick(load.baseline, 'rssMb'))}`, `${verdict(med(pick(load.app, 'wallMs')), 300)}; ${verdict(med(pick(load.app, 'rssMb')), 90)}`],
    ['first timer invocation, App Insights on', '—', ms(pick(first.app, 'invokedMs')), `eager ${ms(pick(first.baseline, 'invokedMs'))}; App Insights off ${ms(pick(noAi, 'invokedMs'))}`, ''],
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
