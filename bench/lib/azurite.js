'use strict';
// Azurite (the Storage emulator, a devDependency) for the benchmarks: one service per process, in
// memory, on a free loopback port. The same way as test/support/azurite.ts, in plain JavaScript
// because the benchmarks run without a TypeScript loader.
const { setTimeout, clearTimeout } = require('node:timers');
const { spawn } = require('node:child_process');
const { createServer } = require('node:net');
const { join } = require('node:path');

// Azurite's documented development account (public, not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const ENDPOINT = { table: 'TableEndpoint', queue: 'QueueEndpoint' };

// Azurite must not outlive the bench, even one that fails or is interrupted.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function connectionString(endpoints) {
  const parts = Object.entries(endpoints).map(([kind, url]) => `${ENDPOINT[kind]}=${url};`);
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};${parts.join('')}`;
}

/** Starts one service; retried on another port when the picked one was taken meanwhile. */
async function startService(kind, cwd) {
  const main = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', kind, 'main.js');
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [main, `--${kind}Host`, '127.0.0.1', `--${kind}Port`, String(port), '--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    try {
      await new Promise((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`Azurite ${kind} did not start within 15 s`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (d) => {
          stdout += d;
          if (/successfully (started|listen)/i.test(stdout)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`Azurite ${kind} exited with code ${code}: ${stderr.trim()}`));
        });
      });
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    child.removeAllListeners('exit');
    child.stdout.resume();
    return {
      url: `http://127.0.0.1:${port}/${ACCOUNT}`,
      pid: child.pid,
      stop: () =>
        new Promise((resolve) => {
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
 * Azurite services side by side (Table and Queue by default); `connectionString` has their endpoints,
 * as AzureWebJobsStorage has.
 */
async function startAzurite(cwd, kinds = ['table', 'queue']) {
  const started = await Promise.allSettled(kinds.map((kind) => startService(kind, cwd)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  const services = Object.fromEntries(kinds.map((kind, i) => [kind, started[i].value]));
  return {
    ...services,
    connectionString: connectionString(Object.fromEntries(kinds.map((kind) => [kind, services[kind].url]))),
    stop: () => Promise.all(Object.values(services).map((service) => service.stop())),
  };
}

module.exports = { startAzurite };
