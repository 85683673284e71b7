import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { createStorageTenantCheckQueue, encodeQueueMessage } from '../../shared/adapters/queue/storageTenantCheckQueue';
import { TENANT_CHECK_QUEUE } from '../../shared/config/loadConfig';
import type { TenantCheckMessage } from '../../shared/ports/tenantCheckQueue';
import { startAzuriteService, uniqueQueueName, type RunningAzuriteService } from './azurite';
import { readQueuesOptions, startQueueHost, type QueueHost } from './queueHost';

const connectionString = process.env.APNS_TEST_STORAGE_CONNECTION as string;
const check = (tenantId: string): TenantCheckMessage => ({ tenantId, runId: 'run-1', enqueuedAt: '2026-11-23T08:00:00.000Z' });
const enqueue = (queueName: string, ...tenantIds: string[]) =>
  createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString }, queueName }).enqueue(tenantIds.map(check));
const messageCount = async (cs: string, queueName: string) => (await new QueueClient(cs, queueName).getProperties()).approximateMessagesCount;
const tenantOf = (message: unknown) => (message as TenantCheckMessage).tenantId;

describe('queueHost: what the Functions host does for a storage queue trigger (Azurite)', () => {
  const hosts: QueueHost[] = [];
  const start = (...args: Parameters<typeof startQueueHost>) => {
    const host = startQueueHost(...args);
    hosts.push(host);
    return host;
  };
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  test('when a tenant check is enqueued through the adapter, the handler runs once with the decoded message and its trigger metadata, and the message is deleted', async () => {
    const queueName = uniqueQueueName('one');
    await enqueue(queueName, 'tenant-a');
    const contexts: { functionName: string; invocationId: string; triggerMetadata: unknown }[] = [];
    const host = start({
      connectionString,
      queueName,
      functionName: 'checkTenant',
      handler: (message, context) => {
        contexts.push({ functionName: context.functionName, invocationId: context.invocationId, triggerMetadata: context.triggerMetadata });
        context.log('checked', tenantOf(message));
      },
    });
    await host.drain();
    expect(host.invocations).toHaveLength(1);
    const [run] = host.invocations;
    expect(run).toMatchObject({ message: check('tenant-a'), dequeueCount: 1, outcome: 'succeeded', logs: ['information checked tenant-a'] });
    expect(contexts).toEqual([{ functionName: 'checkTenant', invocationId: run?.invocationId, triggerMetadata: run?.triggerMetadata }]);
    expect(run?.triggerMetadata).toEqual({
      queueTrigger: JSON.stringify(check('tenant-a')),
      id: run?.messageId,
      dequeueCount: 1,
      insertionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expirationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      nextVisibleTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      popReceipt: expect.any(String),
    });
    expect(await messageCount(connectionString, queueName)).toBe(0);
    expect(host.poisoned).toEqual([]);
  });

  test('when a message is base64 of text that is not JSON, the handler gets the text (as the Node.js worker passes it)', async () => {
    const queueName = uniqueQueueName('text');
    const client = new QueueClient(connectionString, queueName);
    await client.create();
    await client.sendMessage(Buffer.from('plain words').toString('base64'));
    const host = start({ connectionString, queueName, handler: () => undefined });
    await host.drain();
    expect(host.invocations.map((i) => i.message)).toEqual(['plain words']);
  });

  test('when a message is JSON that is not base64-encoded, the function does not run and the message goes to the poison queue as it was', async () => {
    const queueName = uniqueQueueName('raw');
    const client = new QueueClient(connectionString, queueName);
    await client.create();
    const raw = JSON.stringify(check('tenant-raw'));
    await client.sendMessage(raw);
    const host = start({ connectionString, queueName, handler: () => undefined });
    await host.drain();
    expect(host.invocations).toEqual([]);
    expect(host.poisoned).toEqual([expect.objectContaining({ reason: 'undecodable', messageText: raw, dequeueCount: 1 })]);
    const poisoned = await new QueueClient(connectionString, `${queueName}-poison`).receiveMessages();
    expect(poisoned.receivedMessageItems.map((m) => m.messageText)).toEqual([raw]);
    expect(await messageCount(connectionString, queueName)).toBe(0);
  });

  test('when a handler fails and the visibility timeout is 1 s, the message stays hidden meanwhile (the next one runs first) and comes back with dequeue count 2', async () => {
    const queueName = uniqueQueueName('later');
    await enqueue(queueName, 'tenant-a');
    await enqueue(queueName, 'tenant-b');
    let visibleDuringB: string[] | undefined;
    const host = start({
      connectionString,
      queueName,
      batchSize: 1,
      newBatchThreshold: 0,
      visibilityTimeoutMs: 1000,
      handler: async (message, context) => {
        if (tenantOf(message) === 'tenant-b') {
          visibleDuringB = (await new QueueClient(connectionString, queueName).peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageId);
        } else if (context.triggerMetadata?.dequeueCount === 1) throw new Error('Graph answered 503');
      },
    });
    await host.drain();
    expect(host.invocations.map((i) => `${tenantOf(i.message)}#${i.dequeueCount}:${i.outcome}`)).toEqual(['tenant-a#1:failed', 'tenant-b#1:succeeded', 'tenant-a#2:succeeded']);
    expect(visibleDuringB).toEqual([]);
    expect(await messageCount(connectionString, queueName)).toBe(0);
  });

  test('when a message’s dequeue count is already above maxDequeueCount (its runs crashed the host), it goes to the poison queue unrun', async () => {
    const queueName = uniqueQueueName('crash');
    await enqueue(queueName, 'tenant-c');
    const client = new QueueClient(connectionString, queueName);
    // Two deliveries whose host died mid-run: received, never completed (made visible again at once here).
    for (let i = 0; i < 2; i++) {
      const [m] = (await client.receiveMessages({ visibilityTimeout: 600 })).receivedMessageItems;
      await client.updateMessage(m?.messageId as string, m?.popReceipt as string, undefined, 0);
    }
    const host = start({ connectionString, queueName, maxDequeueCount: 2, handler: () => undefined });
    await host.drain();
    expect(host.invocations).toEqual([]);
    expect(host.poisoned).toEqual([expect.objectContaining({ reason: 'maxDequeueCount', dequeueCount: 3 })]);
    expect(await messageCount(connectionString, `${queueName}-poison`)).toBe(1);
  });

  test('when 40 messages wait, at most batchSize + newBatchThreshold handlers run at once and each message runs once', async () => {
    const queueName = uniqueQueueName('many');
    const ids = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);
    await enqueue(queueName, ...ids);
    const host = start({ connectionString, queueName, handler: () => new Promise((r) => setImmediate(r)) });
    await host.drain();
    expect(host.options).toMatchObject({ batchSize: 8, newBatchThreshold: 4 });
    expect(host.maxConcurrent).toBeGreaterThanOrEqual(8);
    expect(host.maxConcurrent).toBeLessThanOrEqual(12);
    expect(host.invocations.map((i) => tenantOf(i.message)).sort()).toEqual([...ids].sort());
    expect(await messageCount(connectionString, queueName)).toBe(0);
  });

  test('when the handler of a poison queue fails, the message stays in it (a poison queue has none of its own) and drain still returns', async () => {
    const queueName = `${uniqueQueueName('pp')}-poison`;
    await enqueue(queueName, 'tenant-p');
    const host = start({ connectionString, queueName, handler: () => Promise.reject(new Error('alert channel down')) });
    expect(host.poisonQueueName).toBeUndefined();
    await host.drain();
    expect(host.invocations.map((i) => i.outcome)).toEqual(['failed']);
    expect(host.abandoned).toEqual([host.invocations[0]?.messageId]);
    expect(await messageCount(connectionString, queueName)).toBe(1);
  });

  describe(`with the product's queue names (${TENANT_CHECK_QUEUE}), on an Azurite of its own`, () => {
    // Other test files may fill the shared Azurite's "apns-tenant-checks"; this one owns its own.
    let dir: string;
    let own: RunningAzuriteService;
    beforeAll(async () => {
      dir = mkdtempSync(join(process.env.APNS_TEST_DIR as string, 'queue-host-'));
      own = await startAzuriteService('queue', dir);
    });
    afterAll(async () => {
      await own?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('when the handler keeps throwing, it runs with dequeue count 1 to 5, then the message is in apns-tenant-checks-poison and the poison handler gets it', async () => {
      const cs = own.connectionString;
      await createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: cs }, queueName: TENANT_CHECK_QUEUE }).enqueue([check('tenant-z')]);
      // host.json's maxDequeueCount (5); retried at once instead of after host.json's minute.
      const host = start({ connectionString: cs, queueName: TENANT_CHECK_QUEUE, visibilityTimeoutMs: 0, handler: () => Promise.reject(new Error('consent missing')) });
      expect(host.options.maxDequeueCount).toBe(5);
      expect(host.poisonQueueName).toBe('apns-tenant-checks-poison');
      await host.drain();
      expect(host.invocations.map((i) => i.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
      expect(host.invocations.every((i) => i.outcome === 'failed')).toBe(true);
      expect(host.poisoned).toEqual([expect.objectContaining({ reason: 'maxDequeueCount', dequeueCount: 5, messageText: encodeQueueMessage(check('tenant-z')) })]);
      expect(await messageCount(cs, TENANT_CHECK_QUEUE)).toBe(0);

      const seen: unknown[] = [];
      const poisonHost = start({ connectionString: cs, queueName: 'apns-tenant-checks-poison', handler: (message) => void seen.push(message) });
      await poisonHost.drain();
      expect(seen).toEqual([check('tenant-z')]);
      expect(poisonHost.invocations[0]?.dequeueCount).toBe(1);
      expect(await messageCount(cs, 'apns-tenant-checks-poison')).toBe(0);
    });
  });

  describe('host.json', () => {
    test('when the repo host.json is read, per-instance concurrency is bounded (8 + 4), failures retry a minute apart and go to poison after 5', () => {
      expect(readQueuesOptions()).toEqual({
        batchSize: 8,
        newBatchThreshold: 4,
        maxDequeueCount: 5,
        visibilityTimeoutMs: 60_000,
        maxPollingIntervalMs: 10_000,
        messageEncoding: 'base64',
      });
    });

    test('when host.json has no extensions.queues, the host defaults apply', () => {
      const dir = mkdtempSync(join(process.env.APNS_TEST_DIR as string, 'hostjson-'));
      try {
        const path = join(dir, 'host.json');
        writeFileSync(path, JSON.stringify({ version: '2.0' }));
        expect(readQueuesOptions(path)).toEqual({ batchSize: 16, newBatchThreshold: 8, maxDequeueCount: 5, visibilityTimeoutMs: 0, maxPollingIntervalMs: 60_000, messageEncoding: 'base64' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
