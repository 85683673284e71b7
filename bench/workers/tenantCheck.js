'use strict';
// One tenant's check (SPEC §8) in this fresh process: the first check is cold (no token, no
// connection), the next ones warm. The modules are loaded before any timing (module load is the
// cold-start figure). Modes:
// - product: the composition the CLI and the timer use (shared sign-in, one $batch per API version);
// - sequential (baseline): one GET per resource, in turn, no $batch;
// - unshared (baseline): the product's batches, but a credential without the shared in-flight fetch.
// argv: mode, state file, warm runs. Prints each check's window (epoch ms) and wall time as JSON.
const { performance } = require('node:perf_hooks');
const { setTimeout } = require('node:timers');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { loadConfig } = load('config/loadConfig.js');
const { createSharedCheckServices, checkDepsFor, checkOptionsFor } = load('composition/createServices.js');
const { createGraphGateway } = load('adapters/graph/graphGateway.js');
const { createGraphClient } = load('adapters/graph/createGraphClient.js');
const { parseCollection } = load('domain/graphJson.js');
const { KIND_SPECS } = load('domain/assetKinds.js');
const { uniformSnapshot } = load('domain/snapshot.js');
const { checkExpiry } = load('useCases/checkExpiry.js');
const { silentLogger } = load('ports/logger.js');
// What checkDepsFor and createTenantAccess import on first use, loaded now so no check pays for it.
load('adapters/state/fileStateStore.js');
load('adapters/notifiers/logNotifier.js');
const identity = require('@azure/identity');

/** The naive way: GET each monitored resource in turn (what most scripts do). */
function sequentialGateway(client) {
  const get = async (version, path) => client.api(path).version(version).get();
  return {
    async readTenant(kinds) {
      const snapshot = uniformSnapshot('', Date.now(), () => ({ status: 'skipped' }));
      for (const spec of KIND_SPECS.filter((s) => kinds.includes(s.kind))) {
        const body = await get(spec.read.version, spec.read.path);
        const value = spec.shape === 'entity' ? spec.parse(body) : parseCollection(body, spec.resource, spec.property).items.map((o) => spec.parseItem(o));
        snapshot[spec.kind] = { status: 'ok', value };
      }
      return snapshot;
    },
  };
}

const epoch = () => performance.timeOrigin + performance.now();

async function run() {
  const [mode, stateFile, warmRuns] = process.argv.slice(2);
  const config = loadConfig(process.env);
  const tenant = config.tenant;
  const checks = [];
  let shared;
  let rawCredential;
  for (let i = 0; i <= Number(warmRuns); i++) {
    // The next check starts on a later turn of the event loop, as a second invocation does (started in
    // the same turn, undici has not yet put the previous connections back in its pool, and opens another).
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const startedAt = epoch();
    const t0 = performance.now();
    // Cold: everything is made here, as a fresh process does on its first check.
    shared ??= await createSharedCheckServices(config, { logger: silentLogger, stateFile, env: process.env });
    const deps = await checkDepsFor(config, shared, tenant);
    if (mode === 'sequential') {
      deps.gateway = sequentialGateway(createGraphClient({ baseUrl: config.graph.baseUrl, credential: shared.access.home }));
    } else if (mode === 'unshared') {
      rawCredential ??= new identity.DefaultAzureCredential();
      deps.gateway = createGraphGateway({ baseUrl: config.graph.baseUrl, credential: rawCredential, maxRetryMs: config.graph.maxRetryMs, timeoutMs: config.http.timeoutMs });
    }
    const report = await checkExpiry(deps, checkOptionsFor(config, tenant));
    const wallMs = performance.now() - t0;
    if (report.readFailures.length > 0) throw new Error(`the check failed: ${report.readFailures[0].message}`);
    checks.push({ kind: i === 0 ? 'cold' : 'warm', wallMs, startedAt, endedAt: epoch() });
  }
  process.stdout.write(`${JSON.stringify({ mode, checks, tokenFetches: shared.access.tokenFetches() })}\n`);
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
