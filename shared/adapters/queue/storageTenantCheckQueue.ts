import type { TokenCredential } from '@azure/identity';
import { QueueClient, QueueServiceClient, RestError, type StorageRetryOptions } from '@azure/storage-queue';
import type { QueueConnection } from '../../config/loadConfig';
import { AppError } from '../../domain/errors';
import type { TenantCheckMessage, TenantCheckQueue } from '../../ports/tenantCheckQueue';
import { isTimeout } from '../http/requestTimeout';

export interface StorageQueueOptions {
  connection: QueueConnection;
  /** The queue name, e.g. `apns-tenant-checks` (TENANT_CHECK_QUEUE). */
  queueName: string;
  /** For a queue service URI: the managed identity. */
  credential?: TokenCredential;
  /** Bound of every call, retries included (`APNS_HTTP_TIMEOUT_SECONDS`); default 30 s. */
  timeoutMs?: number;
  /** Messages sent at the same time by `enqueue`; default 32. */
  concurrency?: number;
}

// 32 in flight: 1,000 messages in 0.4–1.2 s on Azurite here, little gained beyond. On Azure (10–20 ms a
// request) that is about a queue's scalability target, 2,000 messages/s, above which it answers 503.
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_TIMEOUT_MS = 30_000;
// The host storage's development account (UseDevelopmentStorage=true), as the SDKs resolve it.
const DEVELOPMENT_QUEUE_ENDPOINT = 'http://127.0.0.1:10001/devstoreaccount1';
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
const AZURITE_COMMAND = 'npx azurite --silent --location .azurite';

/** Where a queue lives, without credentials: the service URL and whether it is the local emulator. */
export interface QueueEndpoint {
  url: URL;
  local: boolean;
}

function setting(connectionString: string, name: string): string | undefined {
  return new RegExp(`(?:^|;)\\s*${name}=([^;]+)`, 'i').exec(connectionString)?.[1]?.trim();
}

function parseUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new AppError('config_invalid', `${what} is not a URL (value not shown: the connection may hold a secret).`);
  }
}

/** The queue service a connection points at, as the storage SDK resolves it; plain http only on loopback. */
export function queueEndpointOf(connection: QueueConnection): QueueEndpoint {
  let url: URL;
  if (connection.kind === 'queueServiceUri') url = parseUrl(connection.url, 'The queue service URI');
  else {
    const cs = connection.connectionString;
    const explicit = setting(cs, 'QueueEndpoint');
    const account = setting(cs, 'AccountName');
    if (/(?:^|;)\s*UseDevelopmentStorage=true/i.test(cs)) url = new URL(DEVELOPMENT_QUEUE_ENDPOINT);
    else if (explicit) url = parseUrl(explicit, 'The QueueEndpoint of the storage connection string');
    else if (account) {
      const protocol = setting(cs, 'DefaultEndpointsProtocol') ?? 'https';
      const suffix = setting(cs, 'EndpointSuffix') ?? 'core.windows.net';
      url = parseUrl(`${protocol}://${account}.queue.${suffix}`, 'The queue endpoint of the storage connection string');
    } else {
      throw new AppError('config_invalid', 'The storage connection string names no queue endpoint (no QueueEndpoint, AccountName or UseDevelopmentStorage; value not shown: it is a secret).');
    }
  }
  const local = LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new AppError('config_invalid', `The queue endpoint ${url.host} must use https: plain http is only for the local emulator (Azurite) on loopback.`);
  }
  return { url, local };
}

/** `queue "apns-tenant-checks" at acct.queue.core.windows.net` — never a key or SAS. */
export function describeQueue(connection: QueueConnection, queueName: string): string {
  return `queue "${queueName}" at ${queueEndpointOf(connection).url.host}`;
}

/**
 * A QueueClient for the configured connection (the fleet queue, its poison queue). The local
 * emulator either runs or does not: a refused connection is retried briefly, so the "Azurite is not
 * running" answer comes at once; against Azure the SDK's own backoff applies, within `timeoutMs`.
 */
export function createQueueClient(options: Pick<StorageQueueOptions, 'connection' | 'credential'>, queueName: string): QueueClient {
  const { connection } = options;
  const { local } = queueEndpointOf(connection);
  // Local: 3 tries 0.1 s apart cover a busy emulator resetting a connection, not a stopped one.
  const retryOptions: StorageRetryOptions | undefined = local ? { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1_000 } : undefined;
  if (connection.kind === 'connectionString') return new QueueClient(connection.connectionString, queueName, { retryOptions });
  if (!options.credential) throw new AppError('config_invalid', 'A queue service URI needs a credential (the managed identity).');
  return new QueueServiceClient(connection.url, options.credential, { retryOptions }).getQueueClient(queueName);
}

/**
 * The queue message for one value: JSON, then base64, because the Functions host's queue trigger
 * decodes base64 by default (`extensions.queues.messageEncoding`) and sends a message that is not
 * base64 to the poison queue without running the function.
 */
export function encodeQueueMessage(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

const serviceCodeOf = (error: RestError): string | undefined => error.code ?? (error.details as { errorCode?: string } | undefined)?.errorCode;

function isRefused(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.code === 'ECONNREFUSED' || (typeof e.message === 'string' && e.message.includes('ECONNREFUSED'))) return true;
  return e.cause !== undefined && e.cause !== error && isRefused(e.cause);
}

/** Queue failures as AppErrors whose messages hold no connection string, key or SAS (only status and code). */
export function queueError(error: unknown, where: string, action: string, local: boolean, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  if (isTimeout(error)) {
    return new AppError('state_unavailable', `${where} did not answer within ${timeoutMs / 1000} s while trying to ${action} (timed out).`, { retriable: true, cause: error });
  }
  if (local && isRefused(error)) {
    return new AppError('state_unavailable', `Could not ${action} in ${where}: nothing answers there (connection refused), so Azurite, the local Storage emulator, is not running. Start it with "${AZURITE_COMMAND}".`, {
      retriable: true,
      hint: `Start Azurite (a devDependency) with "${AZURITE_COMMAND}", or point AzureWebJobsStorage at a storage account.`,
      cause: error,
    });
  }
  if (error instanceof RestError) {
    const status = error.statusCode;
    if (status === 401 || status === 403) {
      return new AppError('state_unavailable', `Access to ${where} was denied (${status}) while trying to ${action}.`, {
        hint: 'The identity needs "Storage Queue Data Contributor" on the storage account (infra/ grants it).',
        cause: error,
      });
    }
    // Status and the service's code (e.g. "404 QueueNotFound", "400 OutOfRangeInput"): what to act on, nothing secret.
    const what = [status, serviceCodeOf(error)].filter((part) => part !== undefined).join(' ') || 'network error';
    return new AppError('state_unavailable', `Could not ${action} in ${where} (${what}).`, {
      // A 400 is a bad queue name or message: trying again changes nothing.
      retriable: status !== 400,
      cause: error,
    });
  }
  return new AppError('state_unavailable', `Could not ${action} in ${where} (${(error as Error)?.name ?? 'error'}).`, { retriable: true, cause: error });
}

/** The fleet's work queue in Azure Storage (SPEC §11): one base64 JSON message per tenant. */
export function createStorageTenantCheckQueue(options: StorageQueueOptions): TenantCheckQueue {
  const { url, local } = queueEndpointOf(options.connection);
  const client = createQueueClient(options, options.queueName);
  const location = `queue "${options.queueName}" at ${url.host}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const fail = (error: unknown, action: string) => queueError(error, location, action, local, timeoutMs);

  // Created on first use, once per client ("already exists" is fine); tried again after a failure.
  let ready: Promise<void> | undefined;
  const ensureQueue = () =>
    (ready ??= client.createIfNotExists({ abortSignal: AbortSignal.timeout(timeoutMs) }).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw fail(error, 'create the queue');
      },
    ));

  async function send(message: TenantCheckMessage): Promise<void> {
    try {
      await client.sendMessage(encodeQueueMessage(message), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // Deleted since it was created: create it again on the next call.
      if (error instanceof RestError && error.statusCode === 404) ready = undefined;
      throw fail(error, `enqueue the check of tenant ${message.tenantId}`);
    }
  }

  return {
    location,

    async enqueue(messages: readonly TenantCheckMessage[]): Promise<void> {
      if (messages.length === 0) return;
      await ensureQueue();
      // A pool, not all at once: a bounded number of sockets, and the first failure stops new
      // sends (a queue that is down would otherwise cost one timeout per tenant).
      let next = 0;
      let sent = 0;
      let failure: AppError | undefined;
      const worker = async () => {
        while (failure === undefined && next < messages.length) {
          const message = messages[next++] as TenantCheckMessage;
          try {
            await send(message);
            sent++;
          } catch (error) {
            failure ??= error as AppError;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
      if (failure) {
        throw new AppError(failure.code, `${failure.message} ${sent} of ${messages.length} tenant checks were enqueued.`, {
          retriable: failure.retriable,
          ...(failure.hint === undefined ? {} : { hint: failure.hint }),
          cause: failure.cause,
        });
      }
    },
  };
}
