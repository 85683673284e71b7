'use strict';
// Issue 20 / SPEC §12: the status page's filter, keystroke by keystroke, in headless Chromium
// (workers/filterKeystroke.js, a fresh process).
const { runWorker, workerEnv } = require('./lib/child');

async function filterBench({ tenants, rounds }) {
  const { result } = await runWorker('filterKeystroke.js', { env: workerEnv({}), args: [String(tenants), String(rounds)], timeoutMs: 300_000 });
  return result;
}

module.exports = { filterBench };
