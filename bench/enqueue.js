'use strict';
// SPEC §11: the fleet's timer enqueues 1,000 tenant messages on Azurite (the queue adapter, through
// the timer function itself), beside the same messages sent one at a time. Twice: on loopback, and
// through a proxy that puts 10 ms of round trip on every packet (a storage account in the region,
// handshakes included), where one at a time is measured on 100 messages and scaled ×10. Each of the
// two gets a fresh Azurite queue process: Azurite's in-memory queue service was seen to stop
// answering (busy at 100% CPU) after some tens of thousands of messages sent and cleared.
const { randomUUID } = require('node:crypto');
const { runWorker, workerEnv } = require('./lib/child');
const { startLatencyProxy } = require('./lib/latencyProxy');
const { startAzurite } = require('./lib/azurite');

const STORAGE_RTT_MS = 10;
const SEQUENTIAL_SAMPLE = 100;

async function enqueueBench({ dir, tenants, runs }) {
  const entries = Array.from({ length: tenants }, (_, i) => `${randomUUID()}=Customer ${i + 1}`);
  const once = async (rttMs, sample) => {
    const azurite = await startAzurite(dir, ['queue']);
    const queuePort = Number(/:(\d+)\//.exec(azurite.queue.url)[1]);
    // Azurite reads the account from the path: another port in the endpoint is fine (SharedKey signs the path).
    const proxy = rttMs > 0 ? await startLatencyProxy({ targetPort: queuePort, listenHost: '127.0.0.1', listenPort: 0, rttMs }) : undefined;
    const url = proxy ? `http://127.0.0.1:${proxy.port}/devstoreaccount1` : azurite.queue.url;
    const storage = azurite.connectionString.replace(azurite.queue.url, url);
    try {
      return await measure(storage, sample);
    } finally {
      await Promise.all([azurite.stop(), proxy?.close()]);
    }
  };
  const measure = async (storage, sample) => {
    const env = workerEnv({ APNS_TENANT_ID: randomUUID(), APNS_TENANTS: entries.join(','), APNS_APP_CLIENT_ID: randomUUID(), AzureWebJobsStorage: storage });
    const { result } = await runWorker('timerEnqueue.js', { env, args: [String(runs), String(sample)] });
    for (const r of result.product) if (r.enqueued !== tenants) throw new Error(`enqueue: ${r.enqueued} messages in the queue, ${tenants} expected`);
    for (const r of result.sequential) if (r.enqueued !== (sample || tenants)) throw new Error(`enqueue (one at a time): ${r.enqueued} messages in the queue`);
    return { ...result, scale: sample ? tenants / sample : 1 };
  };
  const loopback = await once(0, 0);
  const remote = await once(STORAGE_RTT_MS, SEQUENTIAL_SAMPLE);
  return { tenants, rttMs: STORAGE_RTT_MS, loopback, remote };
}

module.exports = { enqueueBench };
