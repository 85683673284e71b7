import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStateStore, defaultStateFilePath } from '../../../../shared/adapters/state/fileStateStore';
import { AppError } from '../../../../shared/domain/errors';
import { emptyTenantState, type TenantState } from '../../../../shared/domain/tenantState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stateWith = (tenantId: string, at: number): TenantState => ({ ...emptyTenantState(tenantId), lastRun: { at, ok: true, worstSeverity: 'ok' } });

describe('fileStateStore', () => {
  test('when the file does not exist, it loads an empty state; the first save creates it, its journal (and its folder), readable by the owner only', async () => {
    const path = join(dir, 'nested', 'state.json');
    const store = createFileStateStore(path);
    await expect(store.load('t1')).resolves.toEqual({ state: emptyTenantState('t1'), version: null });
    const v = await store.save(stateWith('t1', 1), null);
    await expect(store.load('t1')).resolves.toEqual({ state: stateWith('t1', 1), version: v });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 'intune-apns-monitor/state', schema: 2 });
    await expect(createFileStateStore(path).load('t1')).resolves.toEqual({ state: stateWith('t1', 1), version: v });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.journal`).mode & 0o777).toBe(0o600);
  });

  test('when the version is stale, the save is a state_conflict', async () => {
    const store = createFileStateStore(join(dir, 's.json'));
    const v1 = await store.save(stateWith('t1', 1), null);
    await store.save(stateWith('t1', 2), v1);
    await expect(store.save(stateWith('t1', 3), v1)).rejects.toMatchObject({ code: 'state_conflict' });
    expect((await store.load('t1')).state.lastRun?.at).toBe(2);
  });

  test('when many saves race from the same version, exactly one wins', async () => {
    const store = createFileStateStore(join(dir, 's.json'));
    const v1 = await store.save(stateWith('t1', 1), null);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.save(stateWith('t1', 10 + i), v1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  test('when two processes save from the same version at once, exactly one wins', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    const v1 = await store.save(stateWith('t1', 1), null);
    const modulePath = require.resolve('../../../../dist/shared/adapters/state/fileStateStore.js');
    const script = `const s=require(${JSON.stringify(modulePath)}).createFileStateStore(${JSON.stringify(path)});
      s.save({schema:1,tenantId:'t1',assessments:[],channels:{},outbox:[],lastRun:{at:Number(process.argv[1]),ok:true,worstSeverity:'ok'}}, ${JSON.stringify(v1)})
       .then(()=>process.exit(0),(e)=>process.exit(e.code==='state_conflict'?7:1));`;
    const run = (at: number) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script, String(at)], { stdio: 'ignore' }).on('exit', resolve));
    const codes = await Promise.all([run(100), run(200), run(300)]);
    expect(codes.sort()).toEqual([0, 7, 7]);
  });

  test('when the file is corrupt, load and save fail with state_unreadable and the bytes are untouched', async () => {
    const path = join(dir, 's.json');
    const garbage = '{"format":"intune-apns-monitor/state","version":3,"tenants":{"t1":{"sch';
    writeFileSync(path, garbage);
    const store = createFileStateStore(path);
    const error = await store.load('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('state_unreadable');
    expect((error as AppError).message).toContain(path);
    await expect(store.save(stateWith('t1', 1), null)).rejects.toMatchObject({ code: 'state_unreadable' });
    await expect(store.save(stateWith('t1', 1), '3')).rejects.toMatchObject({ code: 'state_unreadable' });
    expect(readFileSync(path, 'utf8')).toBe(garbage);
  });

  test('when the file belongs to something else, it is refused, not replaced', async () => {
    const path = join(dir, 's.json');
    writeFileSync(path, '{"hello":"world"}');
    await expect(createFileStateStore(path).save(stateWith('t1', 1), null)).rejects.toMatchObject({ code: 'state_unreadable' });
    expect(readFileSync(path, 'utf8')).toBe('{"hello":"world"}');
  });

  test('when the path is a directory, the message says so', async () => {
    const path = join(dir, 'adir');
    mkdirSync(path);
    await expect(createFileStateStore(path).load('t1')).rejects.toThrow(/is unreadable: it is a directory/);
  });

  test('when a save completes, and when the run closes the store, no temp or lock file is left beside the state and its journal', async () => {
    const store = createFileStateStore(join(dir, 's.json'));
    const v = await store.save(stateWith('t1', 1), null);
    await store.save(stateWith('t1', 2), v);
    expect(readdirSync(dir).sort()).toEqual(['s.json', 's.json.journal']);
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(['s.json', 's.json.journal']);
  });

  test('when a stale lock was left by a dead process, the next save takes it over', async () => {
    const path = join(dir, 's.json');
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    utimesSync(`${path}.lock`, old, old);
    await expect(createFileStateStore(path).save(stateWith('t1', 1), null)).resolves.toBe('1');
  });

  test('when another process saved one tenant, this store conflicts on that tenant only, then reads what it saved', async () => {
    const path = join(dir, 's.json');
    const first = createFileStateStore(path);
    const v1 = await first.save(stateWith('t1', 1), null);
    const v2 = await first.save(stateWith('t2', 1), null);
    const run = createFileStateStore(path); // a run that read the file before the other one wrote
    await run.load('t1');
    await first.save(stateWith('t1', 2), v1);
    await expect(run.save(stateWith('t1', 3), v1)).rejects.toMatchObject({ code: 'state_conflict' });
    await expect(run.load('t1')).resolves.toMatchObject({ state: { lastRun: { at: 2 } } });
    await expect(run.save(stateWith('t2', 3), v2)).resolves.toEqual(expect.any(String)); // per tenant: no conflict
  });

  test('when another process compacted the file meanwhile, a stale save is still a conflict and nothing is lost', async () => {
    const path = join(dir, 's.json');
    const other = createFileStateStore(path);
    const v1 = await other.save(stateWith('t1', 1), null);
    const run = createFileStateStore(path);
    await run.load('t1');
    const v2 = await other.save(stateWith('t1', 2), v1);
    await other.save(stateWith('t9', 9), null);
    await other.close(); // folds its journal into the file and starts a new journal
    await expect(run.save(stateWith('t1', 3), v1)).rejects.toMatchObject({ code: 'state_conflict' });
    await run.save(stateWith('t1', 4), v2);
    await run.save(stateWith('t2', 1), null);
    const fresh = createFileStateStore(path);
    expect((await fresh.loadAll()).map((v) => [v.state.tenantId, v.state.lastRun?.at]).sort()).toEqual([['t1', 4], ['t2', 1], ['t9', 9]]);
  });

  test('when one tenant of 500 is saved, only its record is appended: the state file is not rewritten', async () => {
    const path = join(dir, 's.json');
    const setup = createFileStateStore(path);
    const versions = new Map<string, string>();
    for (let i = 0; i < 500; i++) versions.set(`t${i}`, await setup.save(stateWith(`t${i}`, 1), null));
    await setup.close();
    const before = statSync(path);
    const journalBefore = statSync(`${path}.journal`).size;
    const store = createFileStateStore(path);
    await store.save(stateWith('t7', 2), versions.get('t7') as string);
    const after = statSync(path);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    const line = JSON.stringify({ partition: 't7', row: 'state', version: 2, value: stateWith('t7', 2) });
    expect(statSync(`${path}.journal`).size - journalBefore).toBe(Buffer.byteLength(line) + 1);
  });

  test('when the last journal line was cut short (a crash mid-write), it is not read, and the next save cuts it off', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    const v1 = await store.save(stateWith('t1', 1), null);
    appendFileSync(`${path}.journal`, '{"partition":"t1","row":"state","version":2,"value":{"schema":1,"tenantId":"t1","assess');
    const reader = createFileStateStore(path);
    await expect(reader.load('t1')).resolves.toEqual({ state: stateWith('t1', 1), version: v1 });
    const v2 = await reader.save(stateWith('t1', 3), v1);
    const lines = readFileSync(`${path}.journal`, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.every((l) => l === '' || JSON.parse(l))).toBe(true);
    await expect(createFileStateStore(path).load('t1')).resolves.toEqual({ state: stateWith('t1', 3), version: v2 });
  });

  test('when a journal line in the middle is not ours, load, save and close fail with state_unreadable and write nothing', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    const v1 = await store.save(stateWith('t1', 1), null);
    const v2 = await store.save(stateWith('t1', 2), v1);
    const journal = readFileSync(`${path}.journal`, 'utf8').split('\n');
    journal.splice(2, 0, '{"partition":"t1","row":"state","version":"two"}');
    writeFileSync(`${path}.journal`, journal.join('\n'));
    const snapshot = readFileSync(path, 'utf8');
    const broken = createFileStateStore(path);
    await expect(broken.load('t1')).rejects.toMatchObject({ code: 'state_unreadable', message: expect.stringContaining(`${path}.journal`) });
    await expect(broken.save(stateWith('t1', 3), v2)).rejects.toMatchObject({ code: 'state_unreadable' });
    await expect(store.save(stateWith('t1', 3), v2)).rejects.toMatchObject({ code: 'state_unreadable' });
    await expect(store.close()).rejects.toMatchObject({ code: 'state_unreadable' });
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe(journal.join('\n'));
    expect(readFileSync(path, 'utf8')).toBe(snapshot);
  });

  test('when the file is in the earlier format (one document), it is read as it is, and the first save migrates it, keeping the original as .v1.bak', async () => {
    const path = join(dir, 's.json');
    const earlier = `${JSON.stringify({ format: 'intune-apns-monitor/state', version: 7, tenants: { t1: stateWith('t1', 1), t2: stateWith('t2', 2) } }, null, 2)}\n`;
    writeFileSync(path, earlier, { mode: 0o600 });
    const store = createFileStateStore(path);
    await expect(store.load('t2')).resolves.toEqual({ state: stateWith('t2', 2), version: '7' });
    await expect(store.save(stateWith('t1', 3), '6')).rejects.toMatchObject({ code: 'state_conflict' });
    const v = await store.save(stateWith('t1', 3), '7');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 'intune-apns-monitor/state', schema: 2 });
    expect(readFileSync(`${path}.v1.bak`, 'utf8')).toBe(earlier);
    const fresh = createFileStateStore(path);
    await expect(fresh.load('t1')).resolves.toEqual({ state: stateWith('t1', 3), version: v });
    await expect(fresh.load('t2')).resolves.toEqual({ state: stateWith('t2', 2), version: '7' });
  });

  test('when a compaction died between writing the file and starting a new journal, the old journal changes nothing', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    const v1 = await store.save(stateWith('t1', 1), null);
    const v2 = await store.save(stateWith('t1', 2), v1);
    await store.save(stateWith('t2', 1), null);
    const oldJournal = readFileSync(`${path}.journal`);
    await store.close();
    writeFileSync(`${path}.journal`, oldJournal); // as if the new journal had never been renamed into place
    const fresh = createFileStateStore(path);
    await expect(fresh.load('t1')).resolves.toEqual({ state: stateWith('t1', 2), version: v2 });
    await expect(fresh.save(stateWith('t1', 3), v2)).resolves.toBe(String(Number(v2) + 1));
  });

  test('when many saves come at once, they are written together and each is answered on its own: a stale one fails alone', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    const v1 = await store.save(stateWith('old', 1), null);
    await store.save(stateWith('old', 2), v1);
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => store.save(stateWith(`t${i}`, i), null)),
      store.save(stateWith('old', 3), v1), // stale
      store.save(stateWith('old', 4), String(Number(v1) + 1)),
      store.save(stateWith('old', 5), String(Number(v1) + 2)), // follows the one before it in the same batch
    ]);
    expect(results.map((r) => r.status)).toEqual([...Array<string>(20).fill('fulfilled'), 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[20] as PromiseRejectedResult).reason).toMatchObject({ code: 'state_conflict' });
    const fresh = createFileStateStore(path);
    expect((await fresh.loadAll()).map((v) => [v.state.tenantId, v.state.lastRun?.at]).sort()).toEqual(
      [...Array.from({ length: 20 }, (_, i) => [`t${i}`, i]), ['old', 5]].sort(),
    );
  });

  test('when every state is asked for, it answers every tenant stored, from one read of the files', async () => {
    const path = join(dir, 's.json');
    const store = createFileStateStore(path);
    for (const id of ['a', 'b', 'c']) await store.save(stateWith(id, 1), null);
    const all = await createFileStateStore(path).loadAll();
    expect(all.map((v) => [v.state.tenantId, v.version]).sort()).toEqual([['a', '1'], ['b', '1'], ['c', '1']]);
  });

  test.each([
    ['linux', { XDG_STATE_HOME: '/xdg' }, '/home/u', '/xdg/apns-monitor/state.json'],
    ['linux', {}, '/home/u', '/home/u/.local/state/apns-monitor/state.json'],
    ['darwin', {}, '/Users/u', '/Users/u/Library/Application Support/apns-monitor/state.json'],
    ['win32', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'C:\\Users\\u', 'C:\\Users\\u\\AppData\\Local\\apns-monitor\\state.json'],
  ] as const)('when the platform is %s, the default state file is in the user state directory', (platform, env, home, expected) => {
    expect(defaultStateFilePath(env, platform, home)).toBe(expected);
  });
});
