import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { LockLostError, readLockInfo, tryAcquireFileLock } from '../../../../shared/adapters/state/fileLock';

// The lock module as plain JavaScript, so worker threads and child processes run the very same code.
const source = readFileSync(join(__dirname, '..', '..', '..', '..', 'shared', 'adapters', 'state', 'fileLock.ts'), 'utf8');
const lockJs = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
const loadLock = `const m = { exports: {} }; new Function('require', 'module', 'exports', ${JSON.stringify(lockJs)})(require, m, m.exports); const lockModule = m.exports;`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * One contender: `trials` acquisitions. Both contenders meet at a barrier before each trial, so they
 * really race every time; while one holds the lock it bumps a shared counter and checks nobody else does.
 */
const contender = `${loadLock}
const { workerData, parentPort } = require('node:worker_threads');
const shared = new Int32Array(workerData.buffer); // [holders, arrived, generation]
function barrier() {
  const generation = Atomics.load(shared, 2);
  if (Atomics.add(shared, 1, 1) === 1) {
    Atomics.store(shared, 1, 0);
    Atomics.add(shared, 2, 1);
    Atomics.notify(shared, 2);
  } else {
    Atomics.wait(shared, 2, generation);
  }
}
let held = 0, overlaps = 0, attempts = 0;
while (held < workerData.trials) {
  barrier();
  for (;;) {
    attempts++;
    const r = lockModule.tryAcquireFileLock(workerData.path, { owner: workerData.name, ttlMs: 60000 });
    if (!r.ok) continue;
    if (Atomics.add(shared, 0, 1) !== 0) overlaps++;
    for (let i = 0; i < 50; i++) Atomics.load(shared, 0); // hold it for a moment
    Atomics.sub(shared, 0, 1);
    r.lock.release();
    held++;
    break;
  }
}
parentPort.postMessage({ held, overlaps, attempts });`;

function runContender(path: string, name: string, buffer: SharedArrayBuffer, trials: number): Promise<{ held: number; overlaps: number; attempts: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(contender, { eval: true, workerData: { path, name, buffer, trials } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('the CLI lock file', () => {
  test('when two threads contend for it 1,000 times each, they never both hold it', async () => {
    const path = join(dir, 'state.json.renewal.lock');
    const buffer = new SharedArrayBuffer(12);
    const [a, b] = await Promise.all([runContender(path, 'a', buffer, 1000), runContender(path, 'b', buffer, 1000)]);
    expect(a.overlaps + b.overlaps).toBe(0);
    expect(a.held + b.held).toBe(2000);
    expect(a.attempts + b.attempts).toBeGreaterThan(2000); // they raced each trial: the loser tried again
  });

  test('when its holder was killed with SIGKILL, the next run takes it over on its first try', async () => {
    const path = join(dir, 'state.json.lock');
    const child = spawn(process.execPath, ['-e', `${loadLock}
      const r = lockModule.tryAcquireFileLock(${JSON.stringify(path)}, { owner: 'victim', ttlMs: 0 });
      process.stdout.write(r.ok ? 'held' : 'not held');
      setInterval(() => undefined, 1000);`]);
    const said = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(said).toBe('held');
    expect(tryAcquireFileLock(path, { owner: 'second', ttlMs: 0 }).ok).toBe(false); // alive: it is respected
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const next = tryAcquireFileLock(path, { owner: 'next', ttlMs: 0 });
    expect(next.ok).toBe(true);
    expect(readLockInfo(path)?.owner).toBe('next');
  });

  test('when a lease expired, another run takes it over and the first one can no longer extend it (the fence)', () => {
    const path = join(dir, 'r.lock');
    let clock = 1_000_000;
    const first = tryAcquireFileLock(path, { owner: 'first', ttlMs: 1000, now: () => clock });
    if (!first.ok) throw new Error('first should hold it');
    expect(tryAcquireFileLock(path, { owner: 'early', ttlMs: 1000, now: () => clock }).ok).toBe(false);
    clock += 1001;
    const second = tryAcquireFileLock(path, { owner: 'second', ttlMs: 1000, now: () => clock });
    expect(second.ok).toBe(true);
    expect(() => first.lock.extend(1000)).toThrow(LockLostError);
    first.lock.release(); // not ours any more: left alone
    expect(readLockInfo(path)?.owner).toBe('second');
  });

  test('when a lease was made to outlive its holder, the holder being gone does not free it; only the lease end does', () => {
    const path = join(dir, 'kept.lock');
    let clock = 1_000_000;
    const first = tryAcquireFileLock(path, { owner: 'first', ttlMs: 1000, now: () => clock });
    if (!first.ok) throw new Error('first should hold it');
    expect(first.lock.extend(5000, { outlivesHolder: true })).toBe(clock + 5000);
    // As if its process had exited: same host, a pid that no longer runs.
    const kept = { ...(readLockInfo(path) as object), pid: 999_999_999 };
    writeFileSync(path, JSON.stringify(kept));
    expect(tryAcquireFileLock(path, { owner: 'second', ttlMs: 1000, now: () => clock }).ok).toBe(false);
    clock += 5001;
    expect(tryAcquireFileLock(path, { owner: 'third', ttlMs: 1000, now: () => clock }).ok).toBe(true);
  });

  test('when a holder on another host still has a lease, it is respected even though its pid is not running here', () => {
    const path = join(dir, 'shared.lock');
    writeFileSync(path, JSON.stringify({ owner: 'remote', pid: 999_999, host: `${hostname()}-elsewhere`, nonce: 'n', expiresAt: Date.now() + 60_000, since: 'then' }));
    const result = tryAcquireFileLock(path, { owner: 'local', ttlMs: 1000 });
    expect(result).toMatchObject({ ok: false, holder: { owner: 'remote' } });
  });
});
