'use strict';
// SPEC §11 scale target: 1,000 simulated tenants, 100 ms Graph latency, each with its own token
// (Entra simulator, client assertion = the managed identity's token), checked by one fresh process
// through `apns-monitor check` (workers/fleetCheck.js: the CLI's own composition and pool), state in
// Table Storage (Azurite), alerts to a local signed-webhook receiver. Beside it: the baseline client
// (workers/baselineFleet.js: only the tokens and the batches, over fetch), the sequential baseline
// (pool of 1, a sample, extrapolated), all at once (pool of 1,000), the pools around the default
// APNS_FLEET_CONCURRENCY with Entra 100 ms away as well, the read path alone (--no-notify), and the
// CLI's JSON state file.
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { runWorker, workerEnv } = require('./lib/child');
const { startFleetSims } = require('./lib/sims');

const TENANTS = 1000;
const GRAPH_LATENCY_MS = 100;

/** CPU time (ms) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return undefined;
  }
}

/** What one run cost per tenant, from the simulators' logs. */
function countsOf(sims, tenantIds) {
  const perTenant = new Map(tenantIds.map((id) => [id, { v1: 0, beta: 0, tokens: 0 }]));
  for (const r of sims.graph.requests) {
    const t = perTenant.get(r.tenantId);
    if (!t) continue;
    if (r.path === '/v1.0/$batch') t.v1++;
    else if (r.path === '/beta/$batch') t.beta++;
  }
  let metadata = 0;
  for (const r of sims.entra.requests) {
    if (r.endpoint === 'token') {
      const t = perTenant.get(r.tenant);
      if (t) t.tokens++;
    } else if (r.endpoint === 'openid-configuration') metadata++;
  }
  const values = [...perTenant.values()];
  const max = (key) => Math.max(...values.map((v) => v[key]));
  const min = (key) => Math.min(...values.map((v) => v[key]));
  return {
    maxV1BatchesPerTenant: max('v1'),
    maxBetaBatchesPerTenant: max('beta'),
    minBatchesPerTenant: Math.min(min('v1'), min('beta')),
    maxTokensPerTenant: max('tokens'),
    minTokensPerTenant: min('tokens'),
    metadataRequests: metadata,
    managedIdentityRequests: sims.identity.requests.length,
    graphRequests: sims.graph.requests.length,
    graphConnections: sims.graph.accepted.length,
    entraRequests: sims.entra.requests.length,
    entraConnections: sims.entra.accepted.length,
    webhookDeliveries: sims.receivers.of('webhook').length,
  };
}

/**
 * One run: a fresh process checks every tenant (or a sample named with --tenant) with the pool
 * `concurrency`, on fresh state (a new table, or a new state file).
 */
async function fleetRun(sims, ctx, config, n) {
  sims.reset();
  sims.entraProxy.setRtt(config.entraRttMs ?? 0);
  const ids = config.sample ? sims.tenantIds.slice(0, config.sample) : sims.tenantIds;
  const extra = [...(config.sample ? ids.flatMap((id) => ['--tenant', id]) : []), ...(config.flags ?? [])];
  const table = config.state !== 'file' && !config.baseline;
  const env = workerEnv({
    ...sims.env,
    APNS_FLEET_CONCURRENCY: String(config.concurrency),
    NODE_EXTRA_CA_CERTS: ctx.caPath,
    ...(table ? { APNS_STATE_CONNECTION: ctx.storage, APNS_STATE_TABLE: `benchfleet${process.pid}x${ctx.n++}` } : {}),
  });
  const stateArg = table ? '-' : join(ctx.dir, `state-${config.concurrency}-${n}.json`);
  const parentCpu = process.cpuUsage();
  const azuriteCpu = cpuMsOf(ctx.azuritePid);
  // How busy the machine was (1-minute load average): a run slowed by other work keeps its CPU time.
  const loadBefore = loadavg()[0];
  // The baseline client (workers/baselineFleet.js) does only the token and the batches: no state, no report.
  const { result } = await runWorker(config.baseline ? 'baselineFleet.js' : 'fleetCheck.js', { env, args: [stateArg, ...extra], timeoutMs: 600_000 });
  const parent = process.cpuUsage(parentCpu);
  if (result.tenants !== ids.length) throw new Error(`fleet run: ${result.tenants} tenants reported, ${ids.length} expected`);
  if (result.failed > 0) throw new Error(`fleet run (pool ${config.concurrency}): ${result.failed} tenants failed: ${result.firstFailure}`);
  const azuriteNow = cpuMsOf(ctx.azuritePid);
  return {
    ...result,
    ...countsOf(sims, ids),
    tenantsChecked: ids.length,
    loadBefore,
    loadAfter: loadavg()[0],
    simulatorsCpuMs: (parent.user + parent.system) / 1000,
    azuriteCpuMs: table && azuriteCpu !== undefined && azuriteNow !== undefined ? azuriteNow - azuriteCpu : 0,
  };
}

async function fleetBench({ tls, caPath, storage, azuritePid, runs, configs }) {
  const dir = mkdtempSync(join(tmpdir(), 'apns-bench-fleet-'));
  const sims = await startFleetSims({ tenants: TENANTS, graphLatencyMs: GRAPH_LATENCY_MS, tls });
  const ctx = { dir, caPath, storage, azuritePid, n: 0 };
  try {
    // A config with `pairWith` runs in turn with that one (A B A B …, as many runs as it has): a
    // ratio between the two is then not skewed by the machine getting busier or quieter meanwhile.
    const samples = new Map(configs.map((c) => [c.key, []]));
    for (const config of configs.filter((c) => !c.pairWith)) {
      const group = [config, ...configs.filter((c) => c.pairWith === config.key)];
      for (let i = 0; i < (config.runs ?? runs); i++) for (const c of group) samples.get(c.key).push(await fleetRun(sims, ctx, c, i));
    }
    return { tenants: TENANTS, graphLatencyMs: GRAPH_LATENCY_MS, results: configs.map((c) => ({ ...c, samples: samples.get(c.key) })) };
  } finally {
    await sims.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { fleetBench, TENANTS, GRAPH_LATENCY_MS };
