#!/usr/bin/env node
'use strict';
// The `apns-monitor` command: a thin launcher over the compiled CLI (npm run build makes dist/).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { nodeVersionProblem } = require('./nodeVersion');

const args = process.argv.slice(2);
const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld) {
  // `check` is read by Nagios, which shows only the first line of stdout.
  if (args[0] === 'check') process.stdout.write(`APNS UNKNOWN - ${tooOld}\n`);
  else process.stderr.write(`${tooOld}\n`);
  process.exit(3);
}

const entry = join(__dirname, '..', 'dist', 'shared', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('apns-monitor: not built yet. Run "npm run build" in the project folder first.\n');
  process.exit(3);
}
require(entry)
  .main(args)
  .then(async (code) => {
    process.exitCode = code;
    // Application Insights' SDK keeps a background poll of its own; the run is over, so end it.
    // (Nothing to do when the run never loaded it.)
    await require(join(__dirname, '..', 'dist', 'shared', 'adapters', 'notifiers', 'appinsights', 'appInsightsClient.js')).shutdownAppInsights();
  });
