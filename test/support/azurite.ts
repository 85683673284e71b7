import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningAzurite {
  /** Table endpoint only (`APNS_TEST_TABLE_CONNECTION`). */
  connectionString: string;
  /** Table and Queue endpoints (`APNS_TEST_STORAGE_CONNECTION`). */
  storageConnectionString: string;
  tableUrl: string;
  queueUrl: string;
  stop(): Promise<void>;
}

export type AzuriteServiceKind = 'table' | 'queue';

/** One Azurite service (one process), e.g. a queue a test stops on purpose. */
export interface RunningAzuriteService {
  kind: AzuriteServiceKind;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  url: string;
  /** A connection string with only this service's endpoint. */
  connectionString: string;
  stop(): Promise<void>;
}

// Azurite's documented development account (public, not a secret).
export const DEVSTORE_ACCOUNT = 'devstoreaccount1';
export const DEVSTORE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

// Azurite loads in ~1 s; a cold disk cache can take several.
const START_TIMEOUT_MS = 15_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const endpointName = (kind: AzuriteServiceKind) => (kind === 'table' ? 'TableEndpoint' : 'QueueEndpoint');

/** A connection string for Azurite's development account with the given endpoints. */
export function azuriteConnectionString(endpoints: Partial<Record<AzuriteServiceKind, string>>): string {
  const parts = (Object.entries(endpoints) as [AzuriteServiceKind, string][]).map(([kind, url]) => `${endpointName(kind)}=${url};`);
  return `DefaultEndpointsProtocol=http;AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};${parts.join('')}`;
}

/**
 * Starts one Azurite service from the repo's own devDependency, in memory, on a free loopback port.
 * Azurite cannot report the port it got for 0, so one is picked first; a lost race (another process
 * took the port meanwhile) makes Azurite exit, and it is retried on a new port. Ready means Azurite
 * itself said so on stdout — an open port alone could be the process that won the race.
 */
export async function startAzuriteService(kind: AzuriteServiceKind, dir: string): Promise<RunningAzuriteService> {
  const main = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', kind, 'main.js');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, `--${kind}Host`, '127.0.0.1', `--${kind}Port`, String(port), '--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    try {
      await new Promise<void>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`Azurite ${kind} did not report listening on ${port} within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        const onData = (chunk: string) => {
          stdout = (stdout + chunk).slice(-2000);
          // "Azurite Table service successfully started on …", "Azurite Queue service successfully listens on …"
          if (/successfully (started|listen)/i.test(stdout)) done(resolve);
        };
        const onExit = (code: number | null) => done(() => reject(new Error(`Azurite ${kind} exited with code ${code}${stderr ? `: ${stderr.trim()}` : ''}`)));
        const done = (settle: () => void) => {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          settle();
        };
        child.stdout.setEncoding('utf8').on('data', onData);
        child.once('exit', onExit);
      });
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    // Keep the pipes flowing (a full pipe would block Azurite); nothing more is needed from them.
    child.stdout.resume();
    const url = `http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT}`;
    return {
      kind,
      url,
      connectionString: azuriteConnectionString({ [kind]: url }),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
    };
  }
  throw lastError;
}

/**
 * Starts Azurite's Table and Queue services, one process each, side by side. (Azurite's combined
 * entry point always starts Blob as well: a third port to win and a service no test uses, for no
 * gain in start-up time.)
 */
export async function startAzurite(dir: string): Promise<RunningAzurite> {
  const started = await Promise.allSettled([startAzuriteService('table', dir), startAzuriteService('queue', dir)]);
  const [table, queue] = started;
  if (table.status === 'rejected' || queue.status === 'rejected') {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw (table.status === 'rejected' ? table.reason : (queue as PromiseRejectedResult).reason) as Error;
  }
  return {
    tableUrl: table.value.url,
    queueUrl: queue.value.url,
    connectionString: table.value.connectionString,
    storageConnectionString: azuriteConnectionString({ table: table.value.url, queue: queue.value.url }),
    stop: async () => {
      await Promise.all([table.value.stop(), queue.value.stop()]);
    },
  };
}

let tableCounter = 0;
/** A table name no other test uses (table names: a letter, then letters and digits). */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${++tableCounter}`.replace(/[^A-Za-z0-9]/g, '');
}

let queueCounter = 0;
/** A queue name no other test uses (queue names: 3–63 lowercase letters, digits and single dashes). */
export function uniqueQueueName(prefix = 'q'): string {
  const suffix = `-${process.pid}-${Date.now().toString(36)}-${++queueCounter}`;
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-+|-+$/g, '') || 'q';
  // 56 leaves room for the host's "-poison" suffix (7 characters) within 63.
  return `${clean.slice(0, 56 - suffix.length).replace(/-+$/, '')}${suffix}`;
}
