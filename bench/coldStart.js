'use strict';
// Cold start (SPEC §8): a fresh `node` loading the Functions entry point (package.json "main"),
// which registers every function, against a process that eagerly imports every dependency first;
// then the first timer invocation of a fresh process (entry point + one check, Application Insights
// on and pointed at a local receiver, state in Table Storage on Azurite) against the same with the
// eager imports.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { root, runNode, runWorker, workerEnv } = require('./lib/child');
const { dist, DAY } = require('./lib/sims');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sim = (name) => require(join(dist, 'simulator', name));

// The child reports its peak RSS at exit (lib/reportProcess.js); the parent times spawn → exit.
const preload = join(__dirname, 'lib', 'reportProcess.js');

async function loadOnce(code) {
  const { wallMs, result, stderr } = await runNode(['-r', preload, '-e', code], { env: workerEnv({}) });
  return { wallMs, rssMb: result.maxRssMb, stderr };
}

/** Module load only: the entry point against every dependency imported eagerly, alternated. */
async function moduleLoad(runs) {
  const main = join(root, pkg.main);
  const deps = Object.keys(pkg.dependencies);
  const app = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    app.push(await loadOnce(`require(${JSON.stringify(main)});`));
    baseline.push(await loadOnce(deps.map((d) => `require(${JSON.stringify(d)});`).join('\n')));
  }
  const registered = [...app[0].stderr.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]);
  return { app, baseline, registered, deps };
}

/**
 * The first timer invocation of a fresh process, lazy (as built) and eager, alternated; and, to
 * show what Application Insights costs, lazy without its connection string.
 */
async function firstInvocation({ tls, caPath, storage, runs }) {
  const identity = await sim('identitySimulator.js').startIdentitySimulator();
  const { apnsFixture, vppFixture, adeFixture } = sim('tenantFixtures.js');
  const graph = await sim('graphSimulator.js').startGraphSimulator({
    tls,
    tenantId: identity.tenantId,
    tenant: { apns: apnsFixture({ expiresAt: Date.now() + 200 * DAY }), vppTokens: [vppFixture()], adeTokens: [adeFixture()] },
  });
  const receivers = await sim('channelReceivers.js').startChannelReceivers({ tls });
  let n = 0;
  const once = async (mode, appInsights = true) => {
    receivers.clear();
    const env = workerEnv({
      ...identity.env,
      APNS_TENANT_ID: identity.tenantId,
      APNS_GRAPH_BASE_URL: graph.baseUrl,
      AzureWebJobsStorage: storage,
      APNS_STATE_TABLE: `benchfirst${process.pid}x${++n}`,
      ...(appInsights ? { APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-0000000000be;IngestionEndpoint=${receivers.urls.appinsights}` } : {}),
      NODE_EXTRA_CA_CERTS: caPath,
    });
    const { wallMs, result } = await runWorker('timerInvocation.js', { env, args: [mode] });
    const telemetryItems = receivers.of('appinsights').length;
    if (appInsights && telemetryItems === 0) throw new Error('the first invocation sent no telemetry to the Application Insights receiver');
    // spawn → result includes starting node itself; invokedMs counts from the process's time origin.
    return { ...result, spawnToDoneMs: wallMs, telemetryPosts: telemetryItems };
  };
  try {
    const app = [];
    const baseline = [];
    const withoutAppInsights = [];
    for (let i = 0; i < runs; i++) {
      app.push(await once('lazy'));
      baseline.push(await once('eager'));
      withoutAppInsights.push(await once('lazy', false));
    }
    return { app, baseline, withoutAppInsights };
  } finally {
    await Promise.all([identity.close(), graph.close(), receivers.close()]);
  }
}

module.exports = { moduleLoad, firstInvocation };
