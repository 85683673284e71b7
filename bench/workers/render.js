'use strict';
// SPEC §12: the status page's server time for a fleet, `renderDashboard` on a realistic read model:
// the stored state of lib/fleetStates.js read back by `statusOf` (what `GET /api/apns/status`
// returns). argv: warm-up runs, measured runs, sizes…
const { performance } = require('node:perf_hooks');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { tenantState, auditEntries, tenantName } = require('../lib/fleetStates');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { renderDashboard } = load('dashboard/renderDashboard.js');
const { statusOf } = load('useCases/getStatus.js');

function statusView(index, now) {
  const tenantId = randomUUID();
  const view = statusOf(tenantState(index, now, tenantId), { name: tenantName(index) });
  view.renewals = auditEntries(index, now, tenantId).map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
  view.lastRenewal = view.renewals[0] ?? null;
  return view;
}

function fleet(size, now) {
  return { generatedAt: new Date(now).toISOString(), fleet: true, homeTenantId: randomUUID(), tenants: Array.from({ length: size }, (_, i) => statusView(i, now)) };
}

function timeRender(input, warmup, runs) {
  let bytes = 0;
  for (let i = 0; i < warmup; i++) bytes = renderDashboard(input).length;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = renderDashboard(input).length;
    samples.push(performance.now() - t0);
  }
  return { samples, bytes };
}

const [warmup, runs, ...sizes] = process.argv.slice(2).map(Number);
const now = Date.now();
const viewer = { name: 'alex@example.com', canRenew: true };
const results = sizes.map((size) => {
  const view = fleet(size, now);
  const assets = view.tenants.reduce((n, t) => n + t.assets.length, 0);
  const fleetPage = timeRender({ view, viewer, nonce: 'bench-nonce', now }, warmup, runs);
  const tenantPage = timeRender({ view, viewer, nonce: 'bench-nonce', now, selectedTenantId: view.tenants[49].tenantId }, warmup, runs);
  return { size, assets, fleet: fleetPage, tenant: tenantPage };
});
process.stdout.write(`${JSON.stringify({ results })}\n`);
