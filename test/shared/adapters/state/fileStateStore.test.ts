import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  test('when the file does not exist, it loads an empty state; the first save creates it (and its folder)', async () => {
    const path = join(dir, 'nested', 'state.json');
    const store = createFileStateStore(path);
    await expect(store.load('t1')).resolves.toEqual({ state: emptyTenantState('t1'), version: null });
    const v = await store.save(stateWith('t1', 1), null);
    await expect(store.load('t1')).resolves.toEqual({ state: stateWith('t1', 1), version: v });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 'intune-apns-monitor/state', version: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
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

  test('when a save completes, no temp or lock file is left beside the state', async () => {
    const store = createFileStateStore(join(dir, 's.json'));
    const v = await store.save(stateWith('t1', 1), null);
    await store.save(stateWith('t1', 2), v);
    expect(readdirSync(dir)).toEqual(['s.json']);
  });

  test('when a stale lock was left by a dead process, the next save takes it over', async () => {
    const path = join(dir, 's.json');
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    utimesSync(`${path}.lock`, old, old);
    await expect(createFileStateStore(path).save(stateWith('t1', 1), null)).resolves.toBe('1');
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
