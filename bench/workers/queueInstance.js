'use strict';
// One Functions instance of a fleet (SPEC §11, issue 20), in this fresh process: the Functions entry
// point loaded as the worker loads it, the settings in the environment. Modes:
// - cost: a warm instance's cost per message — `checkTenantFromQueue` called as the host calls it
//   (an InvocationContext per message, at most batchSize + newBatchThreshold at once, host.json),
//   over the tenants of APNS_TENANTS; the first `warm` of them warm the instance up and are not
//   counted. The queue itself is the host's work (another process in Azure) and is left out.
// - drain: the host's queue listener (test/support/queueHost.ts, compiled) on `apns-tenant-checks`
//   until the queue is empty; several such processes side by side are several instances.
// Both end as the platform's graceful stop does (the appTerminate hook sends the telemetry left).
// Prints one JSON line: wall and CPU time, per-message durations, peak RSS.
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const { terminate } = require('../lib/functionsCore');
const { peakRssMb } = require('../lib/peakRss');

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
require(join(root, pkg.main));
const { InvocationContext } = require('@azure/functions');
const { checkTenantFromQueue } = require(join(root, 'dist', 'functions', 'checkTenantFromQueue.js'));

const silentContext = (n) => new InvocationContext({ functionName: 'checkTenantFromQueue', invocationId: `bench-${process.pid}-${n}`, logHandler: () => undefined });

async function cost(warm) {
  const { readQueuesOptions } = require(process.env.BENCH_QUEUE_HOST_JS);
  const { batchSize, newBatchThreshold } = readQueuesOptions(join(root, 'host.json'));
  const tenants = process.env.APNS_TENANTS.split(',').map((e) => e.split('=')[0]);
  const durations = [];
  let n = 0;
  const run = async (list, record) => {
    let next = 0;
    const lanes = Array.from({ length: batchSize + newBatchThreshold }, async () => {
      while (next < list.length) {
        const tenantId = list[next++];
        const t0 = performance.now();
        await checkTenantFromQueue({ tenantId, runId: 'bench', enqueuedAt: new Date().toISOString() }, silentContext(++n));
        if (record) durations.push(performance.now() - t0);
      }
    });
    await Promise.all(lanes);
  };
  await run(tenants.slice(0, warm), false);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(tenants.slice(warm), true);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await terminate();
  return { messages: tenants.length - warm, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, durations, concurrency: batchSize + newBatchThreshold };
}

async function drain() {
  const { startQueueHost } = require(process.env.BENCH_QUEUE_HOST_JS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const host = startQueueHost({ connectionString: process.env.AzureWebJobsStorage, queueName: 'apns-tenant-checks', handler: checkTenantFromQueue, functionName: 'checkTenantFromQueue', hostJsonPath: join(root, 'host.json') });
  await host.drain();
  const wallMs = performance.now() - t0;
  await host.stop();
  const cpu = process.cpuUsage(cpu0);
  await terminate();
  const failed = host.invocations.filter((i) => i.outcome !== 'succeeded');
  return { messages: host.invocations.length, failed: failed.length, firstFailure: failed[0] ? String(failed[0].error) : null, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main() {
  const [mode, warm] = process.argv.slice(2);
  const result = mode === 'drain' ? await drain() : await cost(Number(warm));
  process.stdout.write(`${JSON.stringify({ ...result, maxRssMb: peakRssMb() })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
