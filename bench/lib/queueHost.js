'use strict';
// The Functions host's queue listener as the tests emulate it (test/support/queueHost.ts, host.json's
// `extensions.queues`), compiled for the benchmarks with esbuild (a devDependency): one emulation,
// not a second copy. Returns the path of the compiled CommonJS file, written under node_modules/.cache
// so that it resolves the project's packages.
const { join } = require('node:path');
const { root } = require('./child');

function buildQueueHost() {
  const outfile = join(root, 'node_modules', '.cache', 'apns-monitor-bench', 'queueHost.js');
  require('esbuild').buildSync({
    entryPoints: [join(root, 'test', 'support', 'queueHost.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

module.exports = { buildQueueHost };
