import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  QueueClient,
  StorageSharedKeyCredential,
} from '@azure/storage-queue';
import { createStorageTenantCheckQueue, describeQueue, encodeQueueMessage } from '../../../../shared/adapters/queue/storageTenantCheckQueue';
import type { QueueConnection } from '../../../../shared/config/loadConfig';
import { AppError } from '../../../../shared/domain/errors';
import type { TenantCheckMessage } from '../../../../shared/ports/tenantCheckQueue';
import { DEVSTORE_ACCOUNT, DEVSTORE_KEY, startAzuriteService, uniqueQueueName, type RunningAzuriteService } from '../../../support/azurite';

const connectionString = process.env.APNS_TEST_STORAGE_CONNECTION as string;
const connection: QueueConnection = { kind: 'connectionString', connectionString };
const queueUrl = /QueueEndpoint=([^;]+)/.exec(connectionString)?.[1] as string;
const queueHost = new URL(queueUrl).host;

const checks = (n: number, runId = 'run-1'): TenantCheckMessage[] =>
  Array.from({ length: n }, (_, i) => ({ tenantId: `tenant-${i}`, runId, enqueuedAt: '2026-11-23T08:00:00.000Z' }));

/** Every visible message in the queue as stored, by 8 readers taking 32 at a time (each stays hidden for 5 minutes). */
async function readAll(queueName: string): Promise<string[]> {
  const client = new QueueClient(connectionString, queueName);
  const texts: string[] = [];
  const reader = async () => {
    for (;;) {
      const { receivedMessageItems: batch } = await client.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
      if (batch.length === 0) return;
      texts.push(...batch.map((m) => m.messageText));
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return texts;
}

const decode = (text: string) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;

/** Everything an error could show in a log line: message, hint, what `inspect` prints (cause included), its JSON. */
const everythingShown = (error: unknown) => `${(error as AppError).message}\n${(error as AppError).hint ?? ''}\n${inspect(error, { depth: 8 })}\n${JSON.stringify(error)}`;

describe('storageTenantCheckQueue (Azurite)', () => {
  test('when tenant checks are enqueued, each is one message of base64 JSON, and the queue is created on first use', async () => {
    const queueName = uniqueQueueName('enq');
    const queue = createStorageTenantCheckQueue({ connection, queueName });
    expect(queue.location).toBe(`queue "${queueName}" at ${queueHost}`);
    await queue.enqueue(checks(3));
    const texts = await readAll(queueName);
    expect(texts).toHaveLength(3);
    for (const text of texts) expect(text).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(texts.map(decode).sort((a, b) => String((a as TenantCheckMessage).tenantId).localeCompare(String((b as TenantCheckMessage).tenantId)))).toEqual(checks(3));
  });

  test('when a second client enqueues on a queue that already exists, it is fine', async () => {
    const queueName = uniqueQueueName('twice');
    await createStorageTenantCheckQueue({ connection, queueName }).enqueue(checks(1, 'a'));
    await createStorageTenantCheckQueue({ connection, queueName }).enqueue(checks(1, 'b'));
    expect((await readAll(queueName)).map(decode).map((m) => (m as TenantCheckMessage).runId).sort()).toEqual(['a', 'b']);
  });

  test('when nothing is to be enqueued, no request is made', async () => {
    const queue = createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: connectionString.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:1') }, queueName: 'unused' });
    await expect(queue.enqueue([])).resolves.toBeUndefined();
  });

  test('when 1,000 tenants are enqueued, each arrives exactly once', async () => {
    const queueName = uniqueQueueName('fleet');
    await createStorageTenantCheckQueue({ connection, queueName }).enqueue(checks(1000));
    const ids = (await readAll(queueName)).map((t) => (decode(t) as TenantCheckMessage).tenantId);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });

  test('when many are enqueued with a concurrency of 4, at most 4 connections are open at once', async () => {
    // A TCP relay in front of Azurite counts the client's connections (one request at a time each).
    const target = new URL(queueUrl);
    let open = 0;
    let maxOpen = 0;
    const sockets = new Set<Socket>();
    const relay = createTcpServer((client) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) sockets.add(s);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.once('close', close);
      upstream.once('close', close);
      client.once('error', close);
      upstream.once('error', close);
      client.once('close', () => open--);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    try {
      const port = (relay.address() as { port: number }).port;
      const relayed = connectionString.replace(queueUrl, `http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT}`);
      const queueName = uniqueQueueName('pool');
      await createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: relayed }, queueName, concurrency: 4 }).enqueue(checks(200));
      expect(maxOpen).toBeLessThanOrEqual(4);
      expect(await readAll(queueName)).toHaveLength(200);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => relay.close(r));
    }
  });

  test('when the queue was deleted since it was created, the call fails counting what was enqueued, and the next call creates it again', async () => {
    const queueName = uniqueQueueName('gone');
    const queue = createStorageTenantCheckQueue({ connection, queueName, concurrency: 1 });
    await queue.enqueue(checks(1));
    await new QueueClient(connectionString, queueName).delete();
    const error = await queue.enqueue(checks(5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'state_unavailable', retriable: true });
    expect((error as AppError).message).toBe(`Could not enqueue the check of tenant tenant-0 in queue "${queueName}" at ${queueHost} (404 QueueNotFound). 0 of 5 tenant checks were enqueued.`);
    await queue.enqueue(checks(2));
    expect(await readAll(queueName)).toHaveLength(2);
  });

  test('when the queue name is invalid, the error names the service code and is not worth retrying', async () => {
    const error = await createStorageTenantCheckQueue({ connection, queueName: 'ab' }).enqueue(checks(1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'state_unavailable', retriable: false, message: `Could not create the queue in queue "ab" at ${queueHost} (400 OutOfRangeInput).` });
  });

  describe('when the storage endpoint does not answer', () => {
    let dir: string;
    let stopped: RunningAzuriteService;
    let sasConnection: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(process.env.APNS_TEST_DIR as string, 'queue-'));
      stopped = await startAzuriteService('queue', dir);
      const sas = generateAccountSASQueryParameters(
        {
          expiresOn: new Date(Date.now() + 3_600_000),
          permissions: AccountSASPermissions.parse('rwdlacup'),
          resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
          services: AccountSASServices.parse('q').toString(),
        },
        new StorageSharedKeyCredential(DEVSTORE_ACCOUNT, DEVSTORE_KEY),
      ).toString();
      sasConnection = `QueueEndpoint=${stopped.url};SharedAccessSignature=${sas}`;
      // Both work while Azurite runs; then it stops, as a developer's emulator would.
      await createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: stopped.connectionString }, queueName: 'apns-tenant-checks' }).enqueue(checks(1));
      await createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: sasConnection }, queueName: 'apns-tenant-checks' }).enqueue(checks(1));
      await stopped.stop();
    });

    afterAll(async () => {
      await stopped.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test.each([
      ['an account key', () => stopped.connectionString, () => DEVSTORE_KEY],
      ['a SAS', () => sasConnection, () => /sig=([^&;]+)/.exec(sasConnection)?.[1] as string],
    ])('when the local emulator is stopped (connection string with %s), it says Azurite is not running and how to start it, naming queue and host, and shows no secret', async (_label, cs, secret) => {
      const queue = createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: cs() }, queueName: 'apns-tenant-checks' });
      const error = await queue.enqueue(checks(3)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'state_unavailable', retriable: true });
      const host = new URL(stopped.url).host;
      expect((error as AppError).message).toBe(
        `Could not create the queue in queue "apns-tenant-checks" at ${host}: nothing answers there (connection refused), so Azurite, the local Storage emulator, is not running. Start it with "npx azurite --silent --location .azurite".`,
      );
      expect((error as AppError).hint).toMatch(/npx azurite --silent --location \.azurite/);
      const value = secret();
      expect(value.length).toBeGreaterThan(10);
      const shown = everythingShown(error);
      expect(shown).not.toContain(value);
      expect(shown).not.toContain(decodeURIComponent(value));
    });

    test('when the endpoint accepts the connection and never answers, the call ends as "timed out" after the request timeout', async () => {
      const silent = createHttpServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const port = (silent.address() as { port: number }).port;
        const hung = connectionString.replace(queueUrl, `http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT}`);
        const queue = createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: hung }, queueName: 'apns-tenant-checks', timeoutMs: 200 });
        const error = await queue.enqueue(checks(1)).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'state_unavailable', retriable: true });
        expect((error as AppError).message).toBe(`queue "apns-tenant-checks" at 127.0.0.1:${port} did not answer within 0.2 s while trying to create the queue (timed out).`);
        expect(everythingShown(error)).not.toContain(DEVSTORE_KEY);
      } finally {
        silent.closeAllConnections();
        await new Promise((r) => silent.close(r));
      }
    });
  });

  describe('which endpoint, before any request', () => {
    test.each<[string, QueueConnection, string]>([
      ['Azurite', { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' }, 'queue "q1" at 127.0.0.1:10001'],
      ['an account', { kind: 'connectionString', connectionString: `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${DEVSTORE_KEY};EndpointSuffix=core.windows.net` }, 'queue "q1" at contoso.queue.core.windows.net'],
      ['a national cloud', { kind: 'connectionString', connectionString: `AccountName=contoso;AccountKey=${DEVSTORE_KEY};EndpointSuffix=core.chinacloudapi.cn` }, 'queue "q1" at contoso.queue.core.chinacloudapi.cn'],
      ['an identity-based service URI', { kind: 'queueServiceUri', url: 'https://contoso.queue.core.windows.net' }, 'queue "q1" at contoso.queue.core.windows.net'],
    ])('when the connection is %s, the location names queue and host only', (_label, conn, expected) => {
      expect(describeQueue(conn, 'q1')).toBe(expected);
    });

    test.each([
      ['an http account endpoint', `DefaultEndpointsProtocol=http;AccountName=contoso;AccountKey=${DEVSTORE_KEY}`, 'contoso.queue.core.windows.net'],
      ['an http QueueEndpoint off loopback', `AccountName=contoso;AccountKey=${DEVSTORE_KEY};QueueEndpoint=http://storage.contoso.example/contoso`, 'storage.contoso.example'],
    ])('when the connection string has %s, it is config_invalid (plain http is for Azurite on loopback) and shows no key', (_label, cs, host) => {
      const error = (() => {
        try {
          createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: cs }, queueName: 'q1' });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toMatchObject({ code: 'config_invalid', message: `The queue endpoint ${host} must use https: plain http is only for the local emulator (Azurite) on loopback.` });
      expect(everythingShown(error)).not.toContain(DEVSTORE_KEY);
    });

    test('when a connection string names no queue endpoint at all, it is config_invalid and the value is not shown', () => {
      expect(() => createStorageTenantCheckQueue({ connection: { kind: 'connectionString', connectionString: 'SharedAccessSignature=sv=2024&sig=abcdefSECRET' }, queueName: 'q1' })).toThrow(
        expect.objectContaining({ code: 'config_invalid', message: expect.not.stringContaining('SECRET') }),
      );
    });

    test('when a queue service URI comes without a credential, it is config_invalid', () => {
      expect(() => createStorageTenantCheckQueue({ connection: { kind: 'queueServiceUri', url: 'https://contoso.queue.core.windows.net' }, queueName: 'q1' })).toThrow(
        expect.objectContaining({ code: 'config_invalid', message: 'A queue service URI needs a credential (the managed identity).' }),
      );
    });
  });

  test('when a message is encoded, it is the base64 of its JSON in UTF-8 (what the host decodes by default)', () => {
    const message = { tenantId: 'contoso.onmicrosoft.com', runId: 'r-ü', enqueuedAt: '2026-11-23T08:00:00.000Z' };
    const text = encodeQueueMessage(message);
    expect(text).toBe(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual(message);
  });
});
