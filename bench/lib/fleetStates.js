'use strict';
// A fleet's stored state as the product writes it, for the status page's benchmarks: Graph JSON
// parsed by the gateway's parsers, assessed by the domain, stored as TenantState. APNs + one VPP + one
// ADE token + the monitor per tenant, 1 in 20 in warning and 1 in 50 critical (with open alerts on
// two channels), 1 in 10 with a renewal in the audit trail.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { assessTenant } = load('domain/assessTenant.js');
const { DEFAULT_POLICY } = load('domain/policy.js');
const { emptyTenantState } = load('domain/tenantState.js');
const { parseApnsCertificate } = load('domain/kinds/apns.js');
const { parseVppToken } = load('domain/kinds/vpp.js');
const { parseAdeToken } = load('domain/kinds/ade.js');
const { uniformSnapshot } = load('domain/snapshot.js');
const { apnsFixture, vppFixture, adeFixture } = load('simulator/tenantFixtures.js');

const DAY = 86_400_000;
const HOUR = 3_600_000;

const tenantName = (index) => `Customer ${index + 1} <Ltd> & Co`;

/** Tenant `index`'s state after a run two hours ago. */
function tenantState(index, now, tenantId = randomUUID()) {
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
  for (const a of state.assessments) {
    if (a.severity === 'ok') continue;
    const mark = { severity: a.severity, at: now - 2 * HOUR, eventId: randomUUID(), expiresAt: a.expiresAt, cause: 'expiry' };
    state.channels[a.key] = { webhook: { mark }, teams: { mark } };
  }
  return state;
}

/** Tenant `index`'s renewal audit trail (1 in 10 has one renewal), newest first. */
function auditEntries(index, now, tenantId) {
  if (index % 10 !== 0) return [];
  return [{ id: randomUUID(), at: now - 200 * DAY, tenantId, actor: 'alex@example.com', via: 'http', secretName: `apns-certificate-${tenantId}`, secretVersion: 'v1', dryRun: false, allowNewTopic: false, outcome: 'renewed', message: 'Renewed.', old: null, new: null, correlationId: randomUUID() }];
}

/**
 * A fleet's read model as `GET /api/apns/status` and the status page get it: each tenant's stored
 * state read back by `statusOf`, with its audit trail.
 */
function fleetStatusView(size, now) {
  const { statusOf } = load('useCases/getStatus.js');
  const tenants = Array.from({ length: size }, (_, index) => {
    const tenantId = randomUUID();
    const view = statusOf(tenantState(index, now, tenantId), { name: tenantName(index) });
    view.renewals = auditEntries(index, now, tenantId).map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    view.lastRenewal = view.renewals[0] ?? null;
    return view;
  });
  return { generatedAt: new Date(now).toISOString(), fleet: true, homeTenantId: randomUUID(), tenants };
}

module.exports = { tenantState, auditEntries, tenantName, fleetStatusView };
