'use strict';
// SPEC §12: the status page's server time for a fleet, `renderDashboard` on a realistic read model:
// the stored state of lib/fleetStates.js read back by `statusOf` (what `GET /api/apns/status`
// returns), and its size beside every line of the table on one page. argv: warm-up runs, measured
// runs, sizes…
const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');
const { fleetStatusView } = require('../lib/fleetStates');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { renderDashboard } = load('dashboard/renderDashboard.js');

function timeRender(input, warmup, runs) {
  let html = '';
  for (let i = 0; i < warmup; i++) html = renderDashboard(input);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    html = renderDashboard(input);
    samples.push(performance.now() - t0);
  }
  return { samples, bytes: Buffer.byteLength(html) };
}

const [warmup, runs, ...sizes] = process.argv.slice(2).map(Number);
const now = Date.now();
const viewer = { name: 'alex@example.com', canRenew: true };
const results = sizes.map((size) => {
  const view = fleetStatusView(size, now);
  const assets = view.tenants.reduce((n, t) => n + t.assets.length, 0);
  const fleetPage = timeRender({ view, viewer, nonce: 'bench-nonce', now }, warmup, runs);
  const tenantPage = timeRender({ view, viewer, nonce: 'bench-nonce', now, selectedTenantId: view.tenants[49].tenantId }, warmup, runs);
  // The baseline of the page's size: every line of the fleet table on one page (no paging).
  const onePageBytes = Buffer.byteLength(renderDashboard({ view, viewer, nonce: 'bench-nonce', now, pageSize: Number.POSITIVE_INFINITY }));
  return { size, assets, fleet: fleetPage, tenant: tenantPage, onePageBytes };
});
process.stdout.write(`${JSON.stringify({ results })}\n`);
