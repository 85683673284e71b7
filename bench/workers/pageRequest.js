'use strict';
// SPEC §12 / issue 20: one page view of the status page for a fleet, end to end in this fresh
// process: `GET /api/apns/dashboard` through the local server (`apns-monitor serve`: the deployed
// handler, its storage reads, the render, compression as a browser asks for it) until the last byte,
// and `GET /api/apns/status` the same way. Storage round trips per view are counted on the client
// side (diagnostics_channel). Baseline: the fleet read one tenant at a time, as before this change
// (state and audit per tenant, 16 at a time; for the file, a fresh read of it per tenant), plus the render.
// argv: the state file or "-" (Table Storage of the settings), measured runs, baseline runs.
const { performance } = require('node:perf_hooks');
const diagnostics = require('node:diagnostics_channel');
const http = require('node:http');
const { join } = require('node:path');
const { peakRssMb } = require('../lib/peakRss');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { loadConfig } = load('config/loadConfig.js');
const { startLocalServer } = load('cli/localServer.js');
const { silentLogger } = load('ports/logger.js');
const { getStatus } = load('useCases/getStatus.js');
const { runPool } = load('useCases/runPool.js');
const { renderDashboard } = load('dashboard/renderDashboard.js');
const { createStateStore, createRenewalStorage } = load('composition/createServices.js');
const { createFileStateStore } = load('adapters/state/fileStateStore.js');

const ACCEPT = 'gzip, deflate, br, zstd'; // what Chromium sends
const noCredential = { getToken: async () => null };

const storageHost = /TableEndpoint=http:\/\/([^/;]+)/.exec(process.env.APNS_STATE_CONNECTION ?? '')?.[1];
let storageRequests = 0;
diagnostics.subscribe('http.client.request.start', ({ request }) => {
  if (storageHost && request.getHeader('host') === storageHost) storageRequests++;
});

function get(origin, path, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const before = storageRequests;
    const req = http.get(`${origin}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path} answered ${res.statusCode}`));
        resolve({ ms: performance.now() - t0, bytes, encoding: res.headers['content-encoding'] ?? null, storageRequests: storageRequests - before });
      });
    });
    req.once('error', reject);
  });
}

async function run() {
  const [stateArg, runs, baselineRuns] = process.argv.slice(2);
  const stateFile = stateArg === '-' ? undefined : stateArg;
  const config = loadConfig(process.env);
  const access = Promise.resolve({ home: noCredential });
  const server = await startLocalServer({
    port: 0,
    viewer: { name: 'bench (local)', canRenew: true },
    services: () => ({ config, logger: silentLogger, access, ...(stateFile ? { stateFile } : {}) }),
    log: () => undefined,
  });
  try {
    for (let i = 0; i < 2; i++) await get(server.origin, '/api/apns/dashboard', ACCEPT); // module loads, JIT
    const page = [];
    const status = [];
    for (let i = 0; i < Number(runs); i++) {
      page.push(await get(server.origin, '/api/apns/dashboard', ACCEPT));
      status.push(await get(server.origin, '/api/apns/status', ACCEPT));
    }
    const plain = await get(server.origin, '/api/apns/dashboard');
    const baseline = [];
    for (let i = 0; i < Number(baselineRuns); i++) {
      const t0 = performance.now();
      const before = storageRequests;
      const [store, { audit }] = await Promise.all([createStateStore(config, noCredential, stateFile), createRenewalStorage(config, noCredential, stateFile)]);
      // The file store now reads its files once per store: a store per tenant reads them per tenant, as before.
      const storeFor = () => (stateFile ? createFileStateStore(stateFile) : store);
      const tenants = await runPool(config.tenants, 16, (tenant) => getStatus(storeFor(), tenant, audit));
      renderDashboard({ view: { generatedAt: new Date().toISOString(), fleet: true, homeTenantId: config.tenant.id, tenants }, viewer: { name: 'bench', canRenew: true }, nonce: 'n', now: Date.now() });
      baseline.push({ ms: performance.now() - t0, storageRequests: storageRequests - before });
    }
    process.stdout.write(`${JSON.stringify({ page, status, plainBytes: plain.bytes, baseline, maxRssMb: peakRssMb() })}\n`);
  } finally {
    await server.close();
  }
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
