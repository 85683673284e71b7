'use strict';
// The CLI's start-up: a fresh process running `apns-monitor help`, and `apns-monitor check` with no
// settings (it fails fast on configuration, exit 3, after loading the check command), beside a CLI
// that imports every command eagerly (the demo and its simulators, node-forge among them), as
// main.ts did before it loaded commands on demand.
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { root, runNode, workerEnv } = require('./lib/child');

const preload = join(__dirname, 'lib', 'reportProcess.js');
const bin = join(root, 'bin', 'apns-monitor.js');
const commands = join(root, 'dist', 'shared', 'cli', 'commands');

async function cliLoadBench({ runs }) {
  // No local.settings.json here, and no settings in the environment: `check` stops at the config.
  const cwd = mkdtempSync(join(tmpdir(), 'apns-bench-cli-'));
  const env = workerEnv({});
  const eager = readdirSync(commands)
    .filter((f) => f.endsWith('.js'))
    .map((f) => `require(${JSON.stringify(join(commands, f))});`)
    .join('\n');
  const eagerHelp = `${eager}\nprocess.argv = [process.argv[0], ${JSON.stringify(bin)}, 'help'];\nrequire(${JSON.stringify(bin)});`;
  const once = async (args, exitCodes = [0]) => {
    const { wallMs, status, result } = await runNode(['-r', preload, ...args], { env, cwd, exitCodes });
    return { wallMs, status, ...result };
  };
  try {
    const help = [];
    const check = [];
    const baseline = [];
    for (let i = 0; i < runs; i++) {
      help.push(await once([bin, 'help']));
      check.push(await once([bin, 'check'], [3]));
      baseline.push(await once(['-e', eagerHelp]));
    }
    return { help, check, baseline };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

module.exports = { cliLoadBench };
