import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { InvocationContext, type StorageQueueHandler } from '@azure/functions';
import { RestError, type DequeuedMessageItem, type QueueClient } from '@azure/storage-queue';
import { createQueueClient } from '../../shared/adapters/queue/storageTenantCheckQueue';

/**
 * What the Functions host does for an `app.storageQueue(...)` trigger, for tests (Core Tools cannot
 * run here). Follows the Storage Queues extension (Microsoft.Azure.WebJobs.Extensions.Storage.Queues,
 * QueueListener and QueueProcessor) and host.json's `extensions.queues`:
 * - receives up to `batchSize` messages, each invisible for 10 minutes while its handler runs, and
 *   fetches the next batch once at most `newBatchThreshold` are still running (so at most
 *   batchSize + newBatchThreshold run at once);
 * - decodes base64 (`messageEncoding`); a message that is not base64 goes to the poison queue
 *   without a run; the text is passed as the Node.js worker does: parsed as JSON when it parses;
 * - a handler that resolves: the message is deleted; one that throws: the message is made visible
 *   again after `visibilityTimeout` — unless its dequeue count has reached `maxDequeueCount`, then it
 *   is copied to `<queue>-poison` (created on demand) and deleted. A message received with a dequeue
 *   count above `maxDequeueCount` (its runs crashed the host) goes to the poison queue unrun;
 * - a queue whose name ends in "-poison" (or is too long for the suffix) has no poison queue: a
 *   failed message stays invisible for the rest of its 10 minutes.
 * Unlike the host, it runs only inside `drain()`, which returns once the queue is empty, nothing runs
 * and no failed message is due to reappear; and it polls a released message sooner than the host's
 * back-off would, to keep tests short.
 */

export interface QueuesOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Delay before a failed message is visible again (host.json `visibilityTimeout`). Whole seconds in Storage. */
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

// The extension's defaults (QueuesOptions): newBatchThreshold defaults to batchSize/2 per processor.
const HOST_DEFAULTS: QueuesOptions = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
  messageEncoding: 'base64',
};
// The host's own invisibility while a function runs (renewed for longer runs).
const LEASE_MS = 10 * 60_000;
// Azure queue names: at most 63 characters.
const MAX_QUEUE_NAME = 63;
const POISON_SUFFIX = '-poison';
// How often `drain` looks again for a released message that is due (the host backs off from 100 ms).
const POLL_MIN_MS = 25;
const POLL_MAX_MS = 250;

const ROOT = join(__dirname, '..', '..');

/** A TimeSpan ("00:01:00", "1.00:00:00", "00:00:00.500") or a number of milliseconds. */
function parseTimeSpan(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim()) : null;
  if (!m) throw new Error(`host.json extensions.queues.${name}: not a TimeSpan ("hh:mm:ss"): ${JSON.stringify(value)}`);
  const [, d = '0', h = '0', min = '0', s = '0', frac = '0'] = m;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Math.round(Number(`0.${frac}`) * 1000);
}

/** host.json's `extensions.queues` with the host's defaults for what it leaves out (keys case-insensitive, as the host reads them). */
export function readQueuesOptions(hostJsonPath = join(ROOT, 'host.json')): QueuesOptions {
  const hostJson = JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { extensions?: { queues?: Record<string, unknown> } };
  const raw = hostJson.extensions?.queues ?? {};
  const get = (name: string): unknown => Object.entries(raw).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const int = (name: string, min: number, max: number, fallback: number): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`host.json extensions.queues.${name}: must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const batchSize = int('batchSize', 1, 32, HOST_DEFAULTS.batchSize);
  const encoding = get('messageEncoding');
  if (encoding !== undefined && !/^(base64|none)$/i.test(String(encoding))) throw new Error(`host.json extensions.queues.messageEncoding: "base64" or "none", got ${JSON.stringify(encoding)}`);
  const visibility = get('visibilityTimeout');
  const polling = get('maxPollingInterval');
  return {
    batchSize,
    newBatchThreshold: int('newBatchThreshold', 0, Number.MAX_SAFE_INTEGER, Math.floor(batchSize / 2)),
    maxDequeueCount: int('maxDequeueCount', 1, Number.MAX_SAFE_INTEGER, HOST_DEFAULTS.maxDequeueCount),
    visibilityTimeoutMs: visibility === undefined ? HOST_DEFAULTS.visibilityTimeoutMs : parseTimeSpan(visibility, 'visibilityTimeout'),
    maxPollingIntervalMs: polling === undefined ? HOST_DEFAULTS.maxPollingIntervalMs : parseTimeSpan(polling, 'maxPollingInterval'),
    messageEncoding: encoding === undefined ? HOST_DEFAULTS.messageEncoding : (String(encoding).toLowerCase() as 'base64' | 'none'),
  };
}

/** The host's poison queue for a queue, or undefined when it has none. */
export function poisonQueueNameOf(queueName: string): string | undefined {
  if (queueName.endsWith(POISON_SUFFIX) || queueName.length + POISON_SUFFIX.length > MAX_QUEUE_NAME) return undefined;
  return `${queueName}${POISON_SUFFIX}`;
}

/** Strict base64, as .NET's Convert.FromBase64String reads it (whitespace ignored); undefined when it is not. */
export function decodeBase64Strict(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** What the Node.js worker hands a queue-triggered handler: the JSON value when the text parses, else the text. */
function parseAsWorker(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface QueueInvocation {
  invocationId: string;
  messageId: string;
  dequeueCount: number;
  /** What the handler received. */
  message: unknown;
  triggerMetadata: Record<string, unknown>;
  outcome: 'succeeded' | 'failed';
  error?: unknown;
  /** What the handler logged through its context, e.g. "warn tenant t1 …". */
  logs: string[];
}

export interface PoisonedMessage {
  messageId: string;
  dequeueCount: number;
  /** The message as stored (still base64), copied unchanged to the poison queue. */
  messageText: string;
  reason: 'maxDequeueCount' | 'undecodable';
}

export interface QueueHostOptions extends Partial<QueuesOptions> {
  /** A storage connection string with a QueueEndpoint (APNS_TEST_STORAGE_CONNECTION). */
  connectionString: string;
  queueName: string;
  handler: StorageQueueHandler;
  functionName?: string;
  /** Where to read `extensions.queues`; the repo's host.json by default. Options given here win. */
  hostJsonPath?: string;
}

export interface QueueHost {
  readonly queueName: string;
  /** `<queue>-poison`, or undefined when this queue has none. */
  readonly poisonQueueName: string | undefined;
  /** host.json's values with this host's overrides. */
  readonly options: Readonly<QueuesOptions>;
  readonly invocations: readonly QueueInvocation[];
  readonly poisoned: readonly PoisonedMessage[];
  /** Failed messages of a queue without a poison queue: left invisible, as the host leaves them. */
  readonly abandoned: readonly string[];
  /** The most handlers that ran at the same time. */
  readonly maxConcurrent: number;
  /** Runs the trigger until the queue is empty, nothing runs and no failed message is due back. */
  drain(): Promise<void>;
  /** Lets running handlers finish; no drain afterwards. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const isNotFound = (error: unknown) => error instanceof RestError && error.statusCode === 404;

export function startQueueHost(options: QueueHostOptions): QueueHost {
  const { connectionString, queueName, handler, hostJsonPath, functionName = `${queueName}Trigger`, ...overrides } = options;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<QueuesOptions>;
  const settings: QueuesOptions = Object.freeze({ ...readQueuesOptions(hostJsonPath), ...defined });
  const connection = { kind: 'connectionString' as const, connectionString };
  const queue = createQueueClient({ connection }, queueName);
  const poisonQueueName = poisonQueueNameOf(queueName);
  const poisonQueue: QueueClient | undefined = poisonQueueName ? createQueueClient({ connection }, poisonQueueName) : undefined;
  let poisonReady: Promise<unknown> | undefined;

  const invocations: QueueInvocation[] = [];
  const poisoned: PoisonedMessage[] = [];
  const abandoned: string[] = [];
  // Released after a failure: id → when it is visible again.
  const released = new Map<string, number>();
  let running = 0;
  let maxConcurrent = 0;
  let stopping = false;
  let draining: Promise<void> | undefined;

  async function toPoison(message: DequeuedMessageItem, reason: PoisonedMessage['reason']): Promise<void> {
    // No poison queue: the host leaves the message as it is (invisible until its lease ends).
    if (!poisonQueue) return void abandoned.push(message.messageId);
    await (poisonReady ??= poisonQueue.createIfNotExists());
    await poisonQueue.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, message.popReceipt);
    poisoned.push({ messageId: message.messageId, dequeueCount: message.dequeueCount, messageText: message.messageText, reason });
  }

  async function processMessage(message: DequeuedMessageItem): Promise<void> {
    // BeginProcessingMessageAsync: runs that crashed the host count too.
    if (message.dequeueCount > settings.maxDequeueCount) return toPoison(message, 'maxDequeueCount');
    const text = settings.messageEncoding === 'base64' ? decodeBase64Strict(message.messageText) : message.messageText;
    // The extension's MessageDecodingFailed handler: straight to the poison queue.
    if (text === undefined) return toPoison(message, 'undecodable');

    const logs: string[] = [];
    const triggerMetadata = {
      queueTrigger: text,
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
    };
    const invocationId = randomUUID();
    const context = new InvocationContext({
      functionName,
      invocationId,
      triggerMetadata,
      logHandler: (level, ...args) => logs.push(`${level} ${format(...args)}`),
      options: { trigger: { type: 'queueTrigger', name: 'queueItem', queueName, connection: 'AzureWebJobsStorage' } },
    });
    const value = parseAsWorker(text);
    const invocation: QueueInvocation = { invocationId, messageId: message.messageId, dequeueCount: message.dequeueCount, message: value, triggerMetadata, outcome: 'succeeded', logs };
    invocations.push(invocation);

    running++;
    maxConcurrent = Math.max(maxConcurrent, running);
    try {
      await handler(value, context);
    } catch (error) {
      invocation.outcome = 'failed';
      invocation.error = error;
    } finally {
      running--;
    }

    // CompleteProcessingMessageAsync
    if (invocation.outcome === 'succeeded') {
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } else if (!poisonQueue) {
      abandoned.push(message.messageId);
    } else if (message.dequeueCount >= settings.maxDequeueCount) {
      await toPoison(message, 'maxDequeueCount');
    } else {
      const seconds = Math.ceil(settings.visibilityTimeoutMs / 1000);
      const updated = await queue.updateMessage(message.messageId, message.popReceipt, undefined, seconds);
      released.set(message.messageId, updated.nextVisibleOn?.getTime() ?? Date.now() + seconds * 1000);
    }
  }

  async function receive(count: number): Promise<DequeuedMessageItem[]> {
    try {
      const response = await queue.receiveMessages({ numberOfMessages: count, visibilityTimeout: LEASE_MS / 1000 });
      return response.receivedMessageItems;
    } catch (error) {
      // The host checks that the queue exists and waits while it does not: nothing to drain.
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  async function run(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let poll = POLL_MIN_MS;
    const track = (message: DequeuedMessageItem) => {
      released.delete(message.messageId);
      const task: Promise<void> = processMessage(message)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    };
    while (!stopping && failure === undefined) {
      const batch = await receive(settings.batchSize);
      batch.forEach(track);
      if (batch.length > 0) {
        poll = POLL_MIN_MS;
        // WaitForNewBatchThreshold
        while (inFlight.size > settings.newBatchThreshold) await Promise.race(inFlight);
        continue;
      }
      if (inFlight.size > 0) {
        await Promise.race(inFlight);
        continue;
      }
      if (released.size === 0) break;
      // A released message comes back at its next-visible time (reported to the second, so it may
      // be a little later): sleep until then, then look again in short steps.
      const now = Date.now();
      const due = Math.min(...released.values());
      // Gone for good (deleted or taken by another consumer) if still missing well after it was due.
      for (const [id, at] of released) if (now > at + Math.max(2_000, settings.maxPollingIntervalMs)) released.delete(id);
      await sleep(due > now ? due - now : poll);
      if (due <= now) poll = Math.min(poll * 2, POLL_MAX_MS, settings.maxPollingIntervalMs);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  }

  return {
    queueName,
    poisonQueueName,
    options: settings,
    invocations,
    poisoned,
    abandoned,
    get maxConcurrent() {
      return maxConcurrent;
    },
    drain() {
      if (stopping) return Promise.reject(new Error(`The queue host for "${queueName}" is stopped.`));
      return (draining ??= run().finally(() => (draining = undefined)));
    },
    async stop() {
      stopping = true;
      await draining?.catch(() => undefined);
    },
  };
}
