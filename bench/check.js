'use strict';
// One tenant's check against the simulated tenant with 50 ms added to every Graph request:
// the product's read (a $batch per API version, sent concurrently) against the same check made
// with one request per resource, one after the other, without batching.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist', 'shared');
const { trustLoopbackCa } = require(join(dist, 'simulator', 'loopbackCa.js'));
const { startIdentitySimulator } = require(join(dist, 'simulator', 'identitySimulator.js'));
const { startGraphSimulator } = require(join(dist, 'simulator', 'graphSimulator.js'));
const { apnsFixture, vppFixture, adeFixture } = require(join(dist, 'simulator', 'tenantFixtures.js'));
const { loadConfig } = require(join(dist, 'config', 'loadConfig.js'));
const { createCheckDeps, checkOptionsFrom, createCredential } = require(join(dist, 'composition', 'createServices.js'));
const { createGraphClient } = require(join(dist, 'adapters', 'graph', 'createGraphClient.js'));
const { parseApnsCertificate, parseCollection, parseVppToken, parseAdeToken } = require(join(dist, 'adapters', 'graph', 'parseGraphResources.js'));
const { checkExpiry } = require(join(dist, 'useCases', 'checkExpiry.js'));
const { silentLogger } = require(join(dist, 'ports', 'logger.js'));

const DAY = 86_400_000;

/** The naive way: GET each resource in turn (what most scripts do). */
function unbatchedGateway(client) {
  const get = async (version, path) => client.api(path).version(version).get();
  return {
    async readTenant() {
      const apns = parseApnsCertificate(await get('v1.0', '/deviceManagement/applePushNotificationCertificate'));
      const vpp = parseCollection(await get('v1.0', '/deviceAppManagement/vppTokens'), 'vpp').items.map(parseVppToken);
      const ade = parseCollection(await get('beta', '/deviceManagement/depOnboardingSettings'), 'ade').items.map(parseAdeToken);
      return { tenantId: '', readAt: Date.now(), apns: { status: 'ok', value: apns }, vpp: { status: 'ok', value: vpp }, ade: { status: 'ok', value: ade } };
    },
  };
}

async function checkBench(runs, latencyMs) {
  const tlsPair = trustLoopbackCa('apns-monitor bench CA');
  const identity = await startIdentitySimulator();
  const graph = await startGraphSimulator({
    tls: tlsPair,
    latencyMs,
    tenant: { apns: apnsFixture({ expiresAt: Date.now() + 200 * DAY }), vppTokens: [vppFixture()], adeTokens: [adeFixture()] },
  });
  Object.assign(process.env, identity.env);
  const dir = mkdtempSync(join(tmpdir(), 'apns-bench-'));
  try {
    const config = loadConfig({ APNS_TENANT_ID: identity.tenantId, APNS_GRAPH_BASE_URL: graph.baseUrl });
    // One credential per process, as in the Function App (its token is cached across runs).
    const credential = await createCredential();
    const measure = async (makeGateway) => {
      const samples = [];
      for (let i = 0; i <= runs; i++) {
        const deps = await createCheckDeps(config, { logger: silentLogger, stateFile: join(dir, `state-${i}.json`), credential });
        if (makeGateway) deps.gateway = makeGateway();
        graph.requests.length = 0;
        const started = process.hrtime.bigint();
        const report = await checkExpiry(deps, checkOptionsFrom(config));
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (report.readFailures.length > 0) throw new Error(`the check failed: ${report.readFailures[0].message}`);
        if (i > 0) samples.push({ wallMs, requests: graph.requests.length }); // run 0 warms up (token, TLS, JIT)
      }
      return samples;
    };
    const batched = await measure(undefined);
    const client = createGraphClient({ baseUrl: graph.baseUrl, credential });
    const unbatched = await measure(() => unbatchedGateway(client));
    return { batched, unbatched };
  } finally {
    await Promise.all([identity.close(), graph.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { checkBench };
