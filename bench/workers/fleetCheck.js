'use strict';
// One `apns-monitor check` of a fleet, in this fresh process, through the CLI's own entry
// (`main` of dist/shared/cli/main.js: the same composition and pool as the command line), with the
// settings in the environment. Prints wall time, peak RSS, CPU time and the largest event-loop
// stalls as one JSON line. argv[2]: the state file, or "-" for the Table Storage of the settings;
// argv[3..]: extra `check` flags.
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const { peakRssMb } = require('../lib/peakRss');

/** Bytes this process read and wrote through system calls (Linux /proc/self/io), in MB; null elsewhere. */
function ioMb() {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1]) / 1048576;
    return { read: field('rchar'), written: field('wchar') };
  } catch {
    return null;
  }
}

const { main } = require(join(__dirname, '..', '..', 'dist', 'shared', 'cli', 'main.js'));

async function run() {
  const [stateFile, ...extra] = process.argv.slice(2);
  const out = [];
  let stderrLines = 0;
  // Two stall monitors: the whole run, and from the first tenant done (after the lazy imports).
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const steady = monitorEventLoopDelay({ resolution: 10 });
  let firstDoneMs;
  const doneAt = [];
  // `progress` is offered as on a terminal: its "n/total" calls time each tenant's completion.
  const io = {
    stdout: (t) => out.push(t),
    stderr: () => stderrLines++,
    env: process.env,
    cwd: process.cwd(),
    progress: (text) => {
      if (text !== undefined) doneAt.push(performance.now() - t0);
      if (text !== undefined && firstDoneMs === undefined) {
        firstDoneMs = performance.now() - t0;
        steady.enable();
      }
    },
  };
  const cpu0 = process.cpuUsage();
  whole.enable();
  const startedAt = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  const exitCode = await main(['check', '--json', ...(stateFile === '-' ? [] : ['--state-file', stateFile]), ...extra], io);
  const wallMs = performance.now() - t0;
  const endedAt = performance.timeOrigin + performance.now();
  whole.disable();
  steady.disable();
  const cpu = process.cpuUsage(cpu0);
  let report;
  try {
    report = JSON.parse(out.join(''));
  } catch {
    throw new Error(`check printed no JSON report (exit ${exitCode}): ${out.join('').slice(0, 500)}`);
  }
  const tenants = report.tenants ?? [];
  const failed = tenants.filter((t) => (t.errors ?? []).length > 0);
  process.stdout.write(
    `${JSON.stringify({
      exitCode,
      wallMs,
      startedAt,
      endedAt,
      firstDoneMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemCpuMs: cpu.system / 1000,
      maxRssMb: peakRssMb(),
      io: ioMb(),
      memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])),
      stallMaxMs: whole.max / 1e6,
      steadyStallMaxMs: steady.count > 0 ? steady.max / 1e6 : null,
      tenants: tenants.length,
      failed: failed.length,
      firstFailure: failed[0]?.errors?.[0]?.message ?? null,
      statuses: tenants.reduce((acc, t) => ({ ...acc, [t.status]: (acc[t.status] ?? 0) + 1 }), {}),
      stderrLines,
      longestGapMs: doneAt.reduce((g, t, i) => (i === 0 ? g : Math.max(g, t - doneAt[i - 1])), 0),
      doneAtDeciles: [0.1, 0.5, 0.9, 1].map((q) => Math.round(doneAt[Math.min(doneAt.length - 1, Math.floor(q * doneAt.length))] ?? 0)),
    })}\n`,
  );
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
