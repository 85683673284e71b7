'use strict';
// Runs a benchmark worker in a fresh `node` process (this one's binary) and reads the JSON it
// prints as the last line of stdout. Figures that depend on a fresh process (cold start, peak RSS,
// the first check) are measured this way, and the simulators (in the parent) never share a core's
// event loop with what is measured.
const { setTimeout, clearTimeout } = require('node:timers');
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

/**
 * Environment for a worker: this one's, without any Azure or product setting a developer may have
 * (the SDKs read them themselves), plus what the worker needs.
 */
function workerEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AZURE_|APNS_|IDENTITY_|MSI_|APPLICATIONINSIGHTS_|AzureWebJobs|NODE_OPTIONS$)/.test(k)) env[k] = v;
  }
  // Application Insights must never phone home from a benchmark (statsbeat goes to Azure by default).
  env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
  return { ...env, ...extra };
}

/** Spawns `node <args>`; resolves with the parsed last stdout line, stderr, and spawn→exit wall time. */
function runNode(args, { env, timeoutMs = 180_000, cwd = root, expectJson = true, exitCodes = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env: env ?? workerEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (!exitCodes.includes(status)) return reject(new Error(`node ${args.join(' ').slice(0, 200)} exited ${status ?? signal}: ${err.trim().slice(-2000)}`));
      if (!expectJson) return resolve({ wallMs, stdout: out, stderr: err });
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ wallMs, status, result: JSON.parse(last), stderr: err, stdout: out });
      } catch {
        reject(new Error(`worker printed no JSON result: ${out.slice(-500)} ${err.slice(-1000)}`));
      }
    });
  });
}

const runWorker = (name, options = {}) => runNode([join(__dirname, '..', 'workers', name), ...(options.args ?? [])], options);

module.exports = { root, runNode, runWorker, workerEnv };
