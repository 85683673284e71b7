'use strict';
// The fleet on Functions (SPEC §11, issue 20): what one queue message costs a warm instance beside
// what one tenant costs the CLI, and how fast 1,000 tenant messages drain with 1, 2 and 4 instances
// (the platform's scale-out is the fleet's scale-out). The same fleet as the CLI's bench: 1,000
// tenants, Graph +100 ms per request, a token per tenant, state in Table Storage (Azurite),
// Application Insights to a local receiver as deployed. Each instance is a fresh process loading
// the Functions entry point (workers/queueInstance.js); the host's queue listener is the tests'
// emulation with host.json's batch settings.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { runWorker, workerEnv } = require('./lib/child');
const { startFleetSims, dist } = require('./lib/sims');
const { startAzurite } = require('./lib/azurite');
const { buildQueueHost } = require('./lib/queueHost');

const TENANTS = 1000;
const GRAPH_LATENCY_MS = 100;
const WARM_UP = 50;
const INSTANCES = [1, 2, 4];

async function enqueueAll(storage, tenantIds) {
  const { createStorageTenantCheckQueue } = require(join(dist, 'adapters', 'queue', 'storageTenantCheckQueue.js'));
  const queue = createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: storage }, queueName: 'apns-tenant-checks' });
  const enqueuedAt = new Date().toISOString();
  await queue.enqueue(tenantIds.map((tenantId) => ({ tenantId, runId: `bench-${randomUUID()}`, enqueuedAt })));
}

async function queueBench({ dir, tls, caPath, runs }) {
  const queueHostJs = buildQueueHost();
  const sims = await startFleetSims({ tenants: TENANTS, graphLatencyMs: GRAPH_LATENCY_MS, tls });
  const azurite = await startAzurite(dir, ['table', 'queue']);
  let n = 0;
  const envOf = (appInsights) =>
    workerEnv({
      ...sims.env,
      AzureWebJobsStorage: azurite.connectionString,
      APNS_STATE_TABLE: `benchqueue${process.pid}x${n++}`,
      NODE_EXTRA_CA_CERTS: caPath,
      BENCH_QUEUE_HOST_JS: queueHostJs,
      ...(appInsights ? { APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-0000000000be;IngestionEndpoint=${sims.receivers.urls.appinsights}` } : {}),
    });
  try {
    // A warm instance's cost per message, Application Insights on (as deployed) and off, alternated.
    const cost = { on: [], off: [] };
    for (let i = 0; i < runs; i++) {
      for (const mode of ['on', 'off']) {
        sims.reset();
        const { result } = await runWorker('queueInstance.js', { env: envOf(mode === 'on'), args: ['cost', String(WARM_UP)], timeoutMs: 600_000 });
        const events = sims.receivers.of('appinsights').length;
        if (mode === 'on' && events === 0) throw new Error('queue bench: the instance sent no telemetry');
        cost[mode].push({ ...result, telemetryPosts: events });
      }
    }
    // Drain: 1,000 messages, 1, 2 and 4 instances at once.
    const drain = [];
    for (const instances of INSTANCES) {
      sims.reset();
      const env = envOf(true);
      await enqueueAll(azurite.connectionString, sims.tenantIds);
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: instances }, () => runWorker('queueInstance.js', { env, args: ['drain'], timeoutMs: 900_000 }).then((r) => r.result)));
      const wallMs = Date.now() - started;
      const messages = results.reduce((sum, r) => sum + r.messages, 0);
      const failed = results.reduce((sum, r) => sum + r.failed, 0);
      if (failed > 0) throw new Error(`queue drain (${instances} instances): ${failed} failed: ${results.find((r) => r.firstFailure)?.firstFailure}`);
      if (messages !== TENANTS) throw new Error(`queue drain (${instances} instances): ${messages} messages handled, ${TENANTS} expected`);
      drain.push({ instances, wallMs, perInstance: results.map((r) => r.messages), cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0), maxRssMb: Math.max(...results.map((r) => r.maxRssMb)) });
    }
    return { tenants: TENANTS, graphLatencyMs: GRAPH_LATENCY_MS, warmUp: WARM_UP, cost, drain };
  } finally {
    await Promise.all([sims.close(), azurite.stop()]);
  }
}

module.exports = { queueBench };
