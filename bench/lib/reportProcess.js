'use strict';
const { performance } = require('node:perf_hooks');
const { peakRssMb } = require('./peakRss');
// Preloaded (`node -r`) into a measured process: at exit, prints one JSON line to stdout with the
// peak RSS, the time since the process started, how many modules were loaded, and which of them
// belong to what the CLI must not load for `check` or `help` (the demo, the simulators, node-forge,
// puppeteer-core).
const FORBIDDEN = /[\\/](dist[\\/]shared[\\/](demo|simulator)|node_modules[\\/](node-forge|puppeteer-core))[\\/]/;

process.on('exit', () => {
  const modules = Object.keys(require.cache);
  const forbidden = [...new Set(modules.filter((m) => FORBIDDEN.test(m)).map((m) => FORBIDDEN.exec(m)[1].replace(/\\/g, '/')))];
  process.stdout.write(`\n${JSON.stringify({ maxRssMb: peakRssMb(), uptimeMs: performance.now(), modules: modules.length, forbidden })}\n`);
});
