'use strict';
// SPEC §12: the status page's server time (renderDashboard) for 100 and 1,000 tenants, in a fresh
// process (workers/render.js), after warm-up.
const { runWorker, workerEnv } = require('./lib/child');

async function renderBench({ sizes, warmup, runs }) {
  const { result } = await runWorker('render.js', { env: workerEnv({}), args: [String(warmup), String(runs), ...sizes.map(String)] });
  return result;
}

module.exports = { renderBench };
