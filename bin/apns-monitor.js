#!/usr/bin/env node
'use strict';
// The `apns-monitor` command: a thin launcher over the compiled CLI (npm run build makes dist/).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'shared', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('apns-monitor: not built yet. Run "npm run build" in the project folder first.\n');
  process.exit(3);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
