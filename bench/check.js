'use strict';
// SPEC §8: one tenant's check, cold (the first of a fresh process: no token, no connection) and warm,
// with a round-trip time put on every packet to Graph by a loopback TCP proxy, the TCP and TLS
// handshakes included. Counted from the simulators and the proxy: Graph requests ($batch per API
// version), token requests, and connections opened. Beside it the baselines: one GET per resource in
// turn (no $batch), and the product's batches with a credential that does not share its token fetch.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { runWorker, workerEnv } = require('./lib/child');
const { startLatencyProxy } = require('./lib/latencyProxy');
const { dist, DAY } = require('./lib/sims');

const sim = (name) => require(join(dist, 'simulator', name));

/** What a window of time cost, from the simulators' logs and the proxy. */
function countsIn(sims, proxy, { startedAt, endedAt }) {
  const inside = (t) => t >= startedAt && t <= endedAt;
  const graph = sims.graph.requests.filter((r) => inside(r.startedAt));
  return {
    graphRequests: graph.length,
    v1Batches: graph.filter((r) => r.path === '/v1.0/$batch').length,
    betaBatches: graph.filter((r) => r.path === '/beta/$batch').length,
    tokenRequests: sims.identity.requests.filter((r) => inside(r.at)).length,
    connections: proxy.connectionsBetween(startedAt, endedAt),
  };
}

async function checkBench({ tls, caPath, latencies, coldRuns, warmRuns, baselineRuns }) {
  const { startIdentitySimulator } = sim('identitySimulator.js');
  const { startGraphSimulator } = sim('graphSimulator.js');
  const { apnsFixture, vppFixture, adeFixture } = sim('tenantFixtures.js');
  const identity = await startIdentitySimulator();
  // Graph is reached at 127.0.0.2:<its port>, where the proxy listens: same origin apart from the address.
  const graph = await startGraphSimulator({
    tls,
    host: '127.0.0.2',
    tenantId: identity.tenantId,
    tenant: { apns: apnsFixture({ expiresAt: Date.now() + 200 * DAY }), vppTokens: [vppFixture()], adeTokens: [adeFixture()] },
  });
  const proxy = await startLatencyProxy({ targetPort: graph.port, rttMs: latencies[0] });
  const sims = { identity, graph };
  const dir = mkdtempSync(join(tmpdir(), 'apns-bench-check-'));
  const env = workerEnv({ ...identity.env, APNS_TENANT_ID: identity.tenantId, APNS_GRAPH_BASE_URL: graph.baseUrl, NODE_EXTRA_CA_CERTS: caPath });
  let n = 0;
  const sample = async (mode, warm) => {
    const { result } = await runWorker('tenantCheck.js', { env, args: [mode, join(dir, `state-${++n}.json`), String(warm)] });
    return result.checks.map((c) => ({ ...c, ...countsIn(sims, proxy, c) }));
  };
  try {
    const byLatency = [];
    for (const rttMs of latencies) {
      proxy.setRtt(rttMs);
      const modes = { product: [], sequential: [], unshared: [] };
      for (let i = 0; i < coldRuns; i++) modes.product.push(...(await sample('product', warmRuns)));
      for (let i = 0; i < baselineRuns; i++) modes.sequential.push(...(await sample('sequential', warmRuns)));
      for (let i = 0; i < baselineRuns; i++) modes.unshared.push(...(await sample('unshared', 0)));
      byLatency.push({ rttMs, modes });
    }
    return byLatency;
  } finally {
    await Promise.all([identity.close(), graph.close(), proxy.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The transport alone, cold, through the same latency proxy: two HTTP/1.1 connections in parallel
 * (what the product opens for its two batches) against one HTTP/2 connection carrying both.
 */
async function transportBench({ tls, caPath, latencies, runs }) {
  const http2 = require('node:http2');
  const answer = JSON.stringify({ responses: [{ id: 'apns', status: 200, body: {} }] });
  const server = http2.createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const proxy = await startLatencyProxy({ targetPort: port, rttMs: latencies[0] });
  const env = workerEnv({ NODE_EXTRA_CA_CERTS: caPath });
  try {
    const out = [];
    for (const rttMs of latencies) {
      proxy.setRtt(rttMs);
      const modes = { h1: [], h2: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of ['h1', 'h2']) {
          const before = proxy.connections.length;
          const { result } = await runWorker('transportCold.js', { env, args: [mode, `https://127.0.0.2:${port}`] });
          modes[mode].push({ wallMs: result.wallMs, connections: proxy.connections.length - before });
        }
      }
      out.push({ rttMs, modes });
    }
    return out;
  } finally {
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

module.exports = { checkBench, transportBench };
