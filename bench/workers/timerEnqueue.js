'use strict';
// A fleet's timer (SPEC §11): `checkApnsExpiry` with APNS_TENANTS set only enqueues one message per
// tenant on the Storage queue (Azurite here). Run `runs` + 1 times in this process (the first is the
// cold one: imports, queue creation); the queue is emptied and its length checked after each run.
// Then the baseline: the same messages sent one at a time (the adapter with a pool of 1), for the
// first `sample` tenants only when given. argv: runs, sample. Prints each run's wall time as JSON.
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist', 'shared');

async function run() {
  const runs = Number(process.argv[2]);
  const sample = Number(process.argv[3] || 0);
  const { InvocationContext } = require('@azure/functions');
  const { checkApnsExpiry } = require(join(root, 'dist', 'functions', 'checkApnsExpiry.js'));
  const { loadConfig } = require(join(dist, 'config', 'loadConfig.js'));
  const { createQueueClient, createStorageTenantCheckQueue } = require(join(dist, 'adapters', 'queue', 'storageTenantCheckQueue.js'));
  const { enqueueTenantChecks } = require(join(dist, 'useCases', 'checkFleet.js'));
  const config = loadConfig(process.env);
  const client = createQueueClient({ connection: config.queue.connection }, config.queue.name);
  const drain = async () => {
    const { approximateMessagesCount } = await client.getProperties();
    await client.clearMessages();
    return approximateMessagesCount;
  };
  const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  const product = [];
  for (let i = 0; i <= runs; i++) {
    const context = new InvocationContext({ functionName: 'checkApnsExpiry', invocationId: `bench-${i}`, logHandler: () => undefined });
    const t0 = performance.now();
    await checkApnsExpiry(timer, context);
    const wallMs = performance.now() - t0;
    product.push({ wallMs, cold: i === 0, enqueued: await drain() });
  }
  const sequential = [];
  for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i++) {
    const queue = createStorageTenantCheckQueue({ connection: config.queue.connection, queueName: config.queue.name, concurrency: 1 });
    const t0 = performance.now();
    await enqueueTenantChecks(queue, sample ? config.tenants.slice(0, sample) : config.tenants, `bench-seq-${i}`, Date.now());
    const wallMs = performance.now() - t0;
    sequential.push({ wallMs, enqueued: await drain() });
  }
  process.stdout.write(`${JSON.stringify({ tenants: config.tenants.length, product, sequential })}\n`);
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
