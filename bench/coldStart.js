'use strict';
// Cold start: a fresh node process loading the Functions entry point (package.json "main"),
// which registers every function, against a process that eagerly imports every dependency.
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The child reports its peak RSS at exit; the parent times spawn → exit.
const REPORT = "process.on('exit', () => process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })));";

function runOnce(code) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', `${REPORT}\n${code}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (status) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 0) return reject(new Error(`child exited ${status}: ${err}`));
      resolve({ wallMs, rssMb: JSON.parse(out).maxRssKb / 1024, stderr: err });
    });
  });
}

async function measure(code, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await runOnce(code));
  return samples;
}

/** The entry point the Function host loads, and every function it registered (test-mode warnings). */
async function coldStart(runs) {
  const main = join(root, pkg.main);
  const app = await measure(`require(${JSON.stringify(main)});`, runs);
  const registered = [...app[0].stderr.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]);
  const deps = Object.keys(pkg.dependencies);
  const baseline = await measure(deps.map((d) => `require(${JSON.stringify(d)});`).join('\n'), runs);
  return { app, baseline, registered, deps };
}

module.exports = { coldStart };
