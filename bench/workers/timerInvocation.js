'use strict';
// The first timer invocation of a fresh process (SPEC §8): load the Functions entry point (every
// function registered), then run `checkApnsExpiry` once, with the app settings in the environment
// (Application Insights on, state in Table Storage) as deployed. argv[2] = "eager" first imports
// every dependency (the baseline). Prints the times since process start and the peak RSS as JSON.
// The invocation ends when the handler resolves; its telemetry leaves after it, and before the process
// exits the worker's graceful stop (appTerminate) sends what is left, as in Azure.
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { peakRssMb } = require('../lib/peakRss');
const { terminate } = require('../lib/functionsCore');

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function run() {
  if (process.argv[2] === 'eager') for (const dep of Object.keys(pkg.dependencies)) require(dep);
  require(join(root, pkg.main));
  const loadedMs = performance.now();
  const { InvocationContext } = require('@azure/functions');
  const { checkApnsExpiry } = require(join(root, 'dist', 'functions', 'checkApnsExpiry.js'));
  const lines = [];
  const context = new InvocationContext({
    functionName: 'checkApnsExpiry',
    invocationId: `bench-${process.pid}`,
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
  });
  const now = new Date();
  const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: now.toISOString(), next: now.toISOString(), lastUpdated: now.toISOString() } };
  await checkApnsExpiry(timer, context);
  const invokedMs = performance.now();
  const appInsightsAtEnd = Object.keys(require.cache).some((k) => k.includes(`${'node_modules'}/applicationinsights/`));
  await terminate();
  const telemetrySentMs = performance.now();
  process.stdout.write(
    `${JSON.stringify({ loadedMs, invokedMs, telemetrySentMs, appInsightsAtEnd, maxRssMb: peakRssMb(), logged: lines.length, appInsightsLoaded: Object.keys(require.cache).some((k) => k.includes(`${'node_modules'}/applicationinsights/`)) })}\n`,
  );
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
