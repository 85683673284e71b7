import { TableClient } from '@azure/data-tables';
import { createTableStateStore } from '../../../../shared/adapters/state/tableStateStore';
import { AppError } from '../../../../shared/domain/errors';
import { emptyTenantState, type TenantState } from '../../../../shared/domain/tenantState';
import { uniqueTableName } from '../../../support/azurite';
import { recordStorageRequests } from '../../../support/storageRequests';

const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;
const store = (table = uniqueTableName('state')) => ({ table, store: createTableStateStore({ connection: { kind: 'connectionString', connectionString }, table }) });
const withAssessments = (tenantId: string, n: number): TenantState => ({
  ...emptyTenantState(tenantId),
  assessments: Array.from({ length: n }, (_, i) => ({
    key: `${tenantId}:vpp:token-${i}`,
    tenantId,
    kind: 'vpp' as const,
    assetId: `token-${i}`,
    name: `VPP token "Location number ${i} of a large school district"`,
    severity: 'ok' as const,
    findings: [],
    appleId: `vpp-${i}@contoso.example`,
    expiresAt: 1_800_000_000_000 + i,
    daysRemaining: 300,
    assessedAt: 1_790_000_000_000,
  })),
});

describe('tableStateStore (Azurite)', () => {
  test('when nothing is stored, it loads an empty state with no version', async () => {
    const { store: s } = store();
    await expect(s.load('t1')).resolves.toEqual({ state: emptyTenantState('t1'), version: null });
  });

  test('when a state is saved, it loads back with the new ETag as its version', async () => {
    const { store: s } = store();
    const state = { ...withAssessments('t1', 2), lastRun: { at: 1, ok: true, worstSeverity: 'ok' as const } };
    const etag = await s.save(state, null);
    const loaded = await s.load('t1');
    expect(loaded).toEqual({ state, version: etag });
    const etag2 = await s.save({ ...state, lastRun: { at: 2, ok: true, worstSeverity: 'ok' } }, etag);
    expect(etag2).not.toBe(etag);
  });

  test('when the version is stale, the save is a state_conflict and nothing changes', async () => {
    const { store: s } = store();
    const v1 = await s.save(withAssessments('t1', 1), null);
    await s.save(withAssessments('t1', 2), v1);
    await expect(s.save(withAssessments('t1', 3), v1)).rejects.toMatchObject({ code: 'state_conflict' });
    expect((await s.load('t1')).state.assessments).toHaveLength(2);
  });

  test('when two saves race from the same version, exactly one wins', async () => {
    const { store: s } = store();
    const v1 = await s.save(withAssessments('t1', 1), null);
    const results = await Promise.allSettled([s.save(withAssessments('t1', 2), v1), s.save(withAssessments('t1', 3), v1)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'state_conflict' });
  });

  test('when two first saves race on a new table (both expect nothing stored), exactly one wins and the other is a conflict to retry', async () => {
    const { table } = store();
    const a = store(table).store;
    const b = store(table).store;
    const results = await Promise.allSettled([a.save(withAssessments('t1', 1), null), b.save(withAssessments('t1', 2), null)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    // Azurite and Azure answer 409 EntityAlreadyExists; the SDK puts the code in details.errorCode.
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'state_conflict' });
  });

  test('when the state is larger than one property holds (64 KiB), it is split and read back whole', async () => {
    const { store: s } = store();
    const big = withAssessments('t1', 400);
    expect(JSON.stringify(big).length).toBeGreaterThan(100_000);
    const v = await s.save(big, null);
    await expect(s.load('t1')).resolves.toEqual({ state: big, version: v });
  });

  test('when tenants share the table, each has its own state', async () => {
    const { store: s } = store();
    await s.save(withAssessments('a', 1), null);
    await s.save(withAssessments('b', 2), null);
    expect((await s.load('a')).state.assessments).toHaveLength(1);
    expect((await s.load('b')).state.assessments).toHaveLength(2);
  });

  test('when every state is asked for, one query returns each tenant\'s state (split ones whole) and none of the other rows', async () => {
    const recorder = await recordStorageRequests(connectionString);
    try {
      const table = uniqueTableName('all');
      const s = createTableStateStore({ connection: { kind: 'connectionString', connectionString: recorder.connectionString }, table });
      const states = [withAssessments('a', 1), withAssessments('b', 400), withAssessments('c', 0)];
      const versions = await Promise.all(states.map((st) => s.save(st, null)));
      const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
      await client.createEntity({ partitionKey: 'a', rowKey: 'lock:renewal', owner: 'x' });
      recorder.requests.length = 0;
      const all = await s.loadAll();
      expect(recorder.requests).toHaveLength(1);
      expect(all.sort((x, y) => x.state.tenantId.localeCompare(y.state.tenantId))).toEqual(states.map((state, i) => ({ state, version: versions[i] })));
    } finally {
      await recorder.close();
    }
  });

  test('when the table does not exist yet, every state is none, and reading does not create it', async () => {
    const recorder = await recordStorageRequests(connectionString);
    try {
      const s = createTableStateStore({ connection: { kind: 'connectionString', connectionString: recorder.connectionString }, table: uniqueTableName('none') });
      await expect(s.loadAll()).resolves.toEqual([]);
      expect(recorder.requests.map((r) => r.method)).toEqual(['GET']);
    } finally {
      await recorder.close();
    }
  });

  test('when the stored JSON is corrupt, it is state_unreadable and the entity is left as it was', async () => {
    const { table, store: s } = store();
    await s.save(withAssessments('t1', 1), null);
    const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
    await client.updateEntity({ partitionKey: 't1', rowKey: 'state', chunks: 1, state0: '{"schema":1,"tenantId":"t1","assess' }, 'Merge');
    const error = await s.load('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('state_unreadable');
    expect((error as AppError).message).toContain(`table "${table}"`);
    expect((await client.getEntity('t1', 'state')).state0).toBe('{"schema":1,"tenantId":"t1","assess');
  });

  test('when the endpoint is unreachable, it is state_unavailable and the message holds no account key', async () => {
    const bad = connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1');
    const s = createTableStateStore({ connection: { kind: 'connectionString', connectionString: bad }, table: uniqueTableName('x') });
    const error = await s.load('t1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'state_unavailable' });
    const key = /AccountKey=([^;]+)/.exec(connectionString)?.[1] as string;
    expect((error as AppError).message).not.toContain(key);
    expect((error as AppError).message).toMatch(/^Could not create the table in table "x\w+" at 127\.0\.0\.1:1 /);
    expect((error as AppError).hint).toMatch(/start Azurite .*npx azurite/);
  });

  test('when the endpoint accepts the connection and never answers, the call ends as "timed out" after the request timeout', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const hung = connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      const s = createTableStateStore({ connection: { kind: 'connectionString', connectionString: hung }, table: uniqueTableName('h'), timeoutMs: 200 });
      await expect(s.load('t1')).rejects.toMatchObject({ code: 'state_unavailable', message: expect.stringMatching(/did not answer within the request timeout .*\(timed out\)/) });
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
