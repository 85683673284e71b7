'use strict';
// SPEC §12: the status page's server time for a fleet, `renderDashboard` on a realistic read model.
// The FleetStatusView is made the product's way: Graph JSON parsed by the gateway's parsers, assessed
// by the domain, stored as TenantState, read back by `statusOf` (what `GET /api/apns/status` returns);
// APNs + one VPP + one ADE token + the monitor per tenant, 1 in 20 in warning and 1 in 50 critical
// (with open alerts), 1 in 10 with a renewal audit trail. argv: warm-up runs, measured runs, sizes…
const { performance } = require('node:perf_hooks');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { renderDashboard } = load('dashboard/renderDashboard.js');
const { statusOf } = load('useCases/getStatus.js');
const { assessTenant } = load('domain/assessTenant.js');
const { DEFAULT_POLICY } = load('domain/policy.js');
const { emptyTenantState } = load('domain/tenantState.js');
const { parseApnsCertificate } = load('domain/kinds/apns.js');
const { parseVppToken } = load('domain/kinds/vpp.js');
const { parseAdeToken } = load('domain/kinds/ade.js');
const { uniformSnapshot } = load('domain/assets.js');
const { apnsFixture, vppFixture, adeFixture } = load('simulator/tenantFixtures.js');

const DAY = 86_400_000;
const HOUR = 3_600_000;

function statusView(index, now) {
  const tenantId = randomUUID();
  const days = index % 50 === 49 ? 5 : index % 20 === 19 ? 25 : 120 + (index % 200);
  const snapshot = {
    ...uniformSnapshot(tenantId, now, () => ({ status: 'skipped' })),
    apns: { status: 'ok', value: parseApnsCertificate(apnsFixture({ expiresAt: now + days * DAY, topic: `com.apple.mgmt.External.${randomUUID()}`, appleId: `mdm-admin@customer${index}.example` })) },
    vpp: { status: 'ok', value: [parseVppToken(vppFixture({ expiresAt: now + (days + 40) * DAY, organizationName: `Customer ${index} Retail` }))] },
    ade: { status: 'ok', value: [parseAdeToken(adeFixture({ expiresAt: now + (days + 90) * DAY, tokenName: `Customer ${index} DEP` }))] },
  };
  const state = emptyTenantState(tenantId);
  state.assessments = assessTenant(snapshot, now, DEFAULT_POLICY);
  const worst = state.assessments.some((a) => a.severity === 'critical') ? 'critical' : state.assessments.some((a) => a.severity === 'warning') ? 'warning' : 'ok';
  state.lastRun = { at: now - 2 * HOUR, ok: true, worstSeverity: worst };
  state.lastSuccessAt = now - 2 * HOUR;
  const view = statusOf(state, `Customer ${index + 1} <Ltd> & Co`);
  for (const a of view.assets) if (a.severity !== 'ok') view.openAlerts[a.key] = { webhook: a.severity, teams: a.severity };
  if (index % 10 === 0) {
    view.renewals = [
      { id: randomUUID(), at: new Date(now - 200 * DAY).toISOString(), tenantId, actor: 'alex@example.com', via: 'http', secretName: `apns-certificate-${tenantId}`, secretVersion: 'v1', dryRun: false, allowNewTopic: false, outcome: 'renewed', message: 'Renewed.', old: null, new: null, correlationId: randomUUID() },
    ];
    view.lastRenewal = view.renewals[0];
  }
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
