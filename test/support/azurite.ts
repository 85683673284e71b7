import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export interface RunningAzurite {
  connectionString: string;
  tableUrl: string;
  stop(): Promise<void>;
}

// Azurite's documented development account (public, not a secret).
export const DEVSTORE_ACCOUNT = 'devstoreaccount1';
export const DEVSTORE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

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

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts Azurite's Table service from the repo's own devDependency, in memory, on a free loopback
 * port (Azurite cannot report the port it got for 0, so one is picked first; a lost race retries).
 */
export async function startAzurite(dir: string): Promise<RunningAzurite> {
  const main = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'table', 'main.js');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      await waitForPort(port, child, 15_000);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    const tableUrl = `http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT}`;
    return {
      tableUrl,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};TableEndpoint=${tableUrl};`,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
    };
  }
  throw lastError;
}

let tableCounter = 0;
/** A table name no other test uses (table names: a letter, then letters and digits). */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${++tableCounter}`.replace(/[^A-Za-z0-9]/g, '');
}
