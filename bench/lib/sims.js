'use strict';
// The simulators the benchmarks run against, started in the bench's own process (the workers that
// are measured run in other processes). A throw-away CA made here is trusted by the workers through
// NODE_EXTRA_CA_CERTS, as the tests do (SPEC §7).
const { performance } = require('node:perf_hooks');
const https = require('node:https');
const tls = require('node:tls');
const { randomUUID } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { root } = require('./child');
const { startLatencyProxy } = require('./latencyProxy');

const dist = join(root, 'dist', 'shared');
const sim = (name) => require(join(dist, 'simulator', name));

const DAY = 86_400_000;
// As test/support/tenantHarness.ts FLEET_APP_ROLES: what every monitored kind needs.
const FLEET_APP_ROLES = ['DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.Read.All'];
// Server certificate names: loopback, and 127.0.0.2 where the latency proxies listen.
const HOSTS = ['localhost', '*.localhost', '127.0.0.1', '127.0.0.2'];

/** A CA for this run, written to `dir/ca.pem` (for the workers) and trusted by this process too. */
function makeCa(dir) {
  const { createTestCa, issueServerCertificate } = sim('certificates.js');
  const ca = createTestCa('apns-monitor bench CA (this run only)');
  const server = issueServerCertificate(ca, HOSTS);
  const caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, ca.certPem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca.certPem]);
  return { caPath, tls: { cert: server.certPem, key: server.keyPem } };
}

/**
 * Starts a simulator and counts the TLS connections its server accepts (the simulators do not
 * expose their server: `https.createServer` is wrapped while it starts).
 */
async function counted(start) {
  const original = https.createServer;
  const accepted = [];
  https.createServer = (...args) => {
    const server = original(...args);
    server.on('secureConnection', () => accepted.push(performance.timeOrigin + performance.now()));
    return server;
  };
  try {
    const started = await start();
    return Object.assign(started, { accepted });
  } finally {
    https.createServer = original;
  }
}

/** ~3 assets per tenant (APNs, one VPP, one ADE token); every 20th in warning, every 50th critical. */
function tenantData(index, now = Date.now()) {
  const { apnsFixture, vppFixture, adeFixture } = sim('tenantFixtures.js');
  const days = index % 50 === 49 ? 5 : index % 20 === 19 ? 25 : 120 + (index % 200);
  return {
    apns: apnsFixture({ expiresAt: now + days * DAY + 3_600_000, topic: `com.apple.mgmt.External.${randomUUID()}` }),
    vppTokens: [vppFixture({ expiresAt: now + (days + 40) * DAY })],
    adeTokens: [adeFixture({ expiresAt: now + (days + 90) * DAY })],
  };
}

/**
 * A fleet as SPEC §11 has it: the Function App's managed identity (identity simulator), the Entra
 * simulator whose multi-tenant app trusts that identity (client assertion), one Graph simulator
 * answering each tenant from its own data, and a signed-webhook receiver for the alerts.
 */
async function startFleetSims({ tenants, graphLatencyMs, tls: serverTls }) {
  const { startIdentitySimulator } = sim('identitySimulator.js');
  const { startGraphSimulator } = sim('graphSimulator.js');
  const { startEntraSimulator } = sim('entraSimulator.js');
  const { startChannelReceivers } = sim('channelReceivers.js');
  const identity = await startIdentitySimulator();
  const graph = await counted(() => startGraphSimulator({ tls: serverTls, tenantId: identity.tenantId, latencyMs: graphLatencyMs }));
  const entra = await counted(() =>
    startEntraSimulator({
      tls: serverTls,
      // Reached through a proxy at 127.0.0.2:<its port> that can put a round-trip time on Entra.
      host: '127.0.0.2',
      federatedCredential: { issuerTenantId: identity.tenantId, subject: identity.principalId },
      defaultResource: graph.baseUrl,
    }),
  );
  const entraProxy = await startLatencyProxy({ targetPort: entra.port, rttMs: 0 });
  const receivers = await startChannelReceivers({ tls: serverTls });
  entra.addTenant(identity.tenantId, { displayName: 'Home' });
  const ids = [];
  const entries = [];
  for (let i = 0; i < tenants; i++) {
    const id = randomUUID();
    // Every permission the monitored kinds read with (SPEC §14): without them each tenant's first run
    // raises a "permission missing" notice — a delivery and a second save per tenant, on every run of a
    // bench whose state starts empty, where a fleet's later runs repeat none of it.
    entra.addTenant(id, { displayName: `Customer ${i + 1}`, roles: FLEET_APP_ROLES });
    graph.addTenant(id, tenantData(i));
    ids.push(id);
    entries.push(`${id}=Customer ${i + 1}`);
  }
  const env = {
    ...identity.env,
    APNS_TENANT_ID: identity.tenantId,
    APNS_TENANTS: entries.join(','),
    APNS_APP_CLIENT_ID: entra.appClientId,
    AZURE_AUTHORITY_HOST: entra.authorityHost,
    APNS_GRAPH_BASE_URL: graph.baseUrl,
    APNS_WEBHOOK_URL: receivers.urls.webhook,
    APNS_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // a test value, not a secret
  };
  return {
    identity,
    graph,
    entra,
    entraProxy,
    receivers,
    tenantIds: ids,
    env,
    reset() {
      graph.reset();
      entra.reset();
      receivers.clear();
      identity.requests.length = 0;
      graph.accepted.length = 0;
      entra.accepted.length = 0;
    },
    close: () => Promise.all([identity.close(), graph.close(), entra.close(), entraProxy.close(), receivers.close()]),
  };
}

module.exports = { dist, makeCa, counted, tenantData, startFleetSims, DAY };
