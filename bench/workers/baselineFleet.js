'use strict';
// The baseline client of issue 20 for the fleet figures: the least any client can do for a fleet
// check, over Node's own `fetch` (undici, keep-alive) with no SDK at all — the managed identity's
// token once, then per tenant one Entra token (the client-credentials grant with that token as the
// client assertion, SPEC §11) and the two `$batch` POSTs (the same requests as the product's, from
// its kind registry), a pool of APNS_FLEET_CONCURRENCY. Each answer is parsed (JSON.parse) and
// nothing else: no state, no assessment, no alerts. Prints wall time, CPU time, peak RSS as JSON.
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');
const { URLSearchParams } = require('node:url');
const { peakRssMb } = require('../lib/peakRss');

const dist = join(__dirname, '..', '..', 'dist', 'shared');
const { kindsOfVersion } = require(join(dist, 'domain', 'assetKinds.js'));
const { MONITORED_KINDS } = require(join(dist, 'domain', 'assets.js'));

const env = process.env;
const graph = env.APNS_GRAPH_BASE_URL.replace(/\/+$/, '');
const authority = env.AZURE_AUTHORITY_HOST.replace(/\/+$/, '');
const tenants = env.APNS_TENANTS.split(',').map((entry) => entry.split('=')[0].trim());
const concurrency = Number(env.APNS_FLEET_CONCURRENCY);
const batches = ['v1.0', 'beta'].map((version) => ({
  version,
  body: JSON.stringify({ requests: kindsOfVersion(version, MONITORED_KINDS).map((s) => ({ id: s.kind, method: 'GET', url: s.read.path })) }),
}));

async function json(response, what) {
  const body = await response.json();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  return body;
}

async function managedIdentityToken() {
  const url = `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent('api://AzureADTokenExchange')}`;
  return (await json(await fetch(url, { headers: { 'x-identity-header': env.IDENTITY_HEADER } }), 'managed identity')).access_token;
}

async function checkTenant(tenant, assertion) {
  const form = new URLSearchParams({
    client_id: env.APNS_APP_CLIENT_ID,
    scope: `${graph}/.default`,
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });
  const token = (await json(await fetch(`${authority}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: form }), 'token')).access_token;
  const answers = await Promise.all(
    batches.map(async ({ version, body }) =>
      json(await fetch(`${graph}/${version}/$batch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body }), `${version} $batch`),
    ),
  );
  // Items the simulator's app has no permission for answer 403, as in the product's run.
  for (const answer of answers) if (!Array.isArray(answer.responses)) throw new Error(`tenant ${tenant}: no responses`);
}

async function run() {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const assertion = await managedIdentityToken();
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, tenants.length) }, async () => {
    while (next < tenants.length) await checkTenant(tenants[next++], assertion);
  });
  await Promise.all(lanes);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, systemCpuMs: cpu.system / 1000, maxRssMb: peakRssMb(), tenants: tenants.length })}\n`);
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
