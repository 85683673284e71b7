import { TableClient } from '@azure/data-tables';
import { preloadedStateStore } from '../../../../shared/adapters/state/preloadedStateStore';
import { createTableStateStore } from '../../../../shared/adapters/state/tableStateStore';
import { emptyTenantState, type TenantState } from '../../../../shared/domain/tenantState';
import { uniqueTableName } from '../../../support/azurite';
import { recordStorageRequests, type StorageRequestRecorder } from '../../../support/storageRequests';

const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;
let recorder: StorageRequestRecorder;
beforeAll(async () => {
  recorder = await recordStorageRequests(connectionString);
});
afterAll(async () => recorder.close());

const tableStore = (table: string, through = connectionString) => createTableStateStore({ connection: { kind: 'connectionString', connectionString: through }, table });
const ran = (tenantId: string, at: number): TenantState => ({ ...emptyTenantState(tenantId), lastRun: { at, ok: true, worstSeverity: 'ok' } });

/** The requests after `from`, as "METHOD what": a point read names its tenant, a query says so. */
const requestsSince = (from: number) =>
  recorder.requests.slice(from).map((r) => {
    const point = /\(PartitionKey='([^']+)',RowKey='state'\)/.exec(r.path);
    return `${r.method} ${point ? point[1] : r.path.includes('$filter=') ? 'query' : r.path.includes('Tables') ? 'table' : 'other'}`;
  });

describe('preloadedStateStore: a fleet run reads the states in one query', () => {
  test('when tenants are loaded, saved and loaded again, the store is queried once and each tenant then only written', async () => {
    const table = uniqueTableName('preload');
    const seeded = tableStore(table);
    await seeded.save(ran('a', 1), null);
    await seeded.save(ran('b', 1), null);
    const from = recorder.requests.length;
    const store = preloadedStateStore(tableStore(table, recorder.connectionString));
    // A check loads before it claims and again before it records.
    const loaded = await Promise.all(['a', 'b', 'c'].map((id) => store.load(id)));
    expect(loaded.map((l) => [l.state.tenantId, l.state.lastRun?.at ?? null, l.version !== null])).toEqual([
      ['a', 1, true],
      ['b', 1, true],
      ['c', null, false],
    ]);
    const versions = await Promise.all(loaded.map((l) => store.save(ran(l.state.tenantId, 2), l.version)));
    const again = await Promise.all(['a', 'b', 'c'].map((id) => store.load(id)));
    expect(again.map((l) => l.version)).toEqual(versions);
    await Promise.all(again.map((l) => store.save(ran(l.state.tenantId, 3), l.version)));
    expect(requestsSince(from).filter((r) => r !== 'POST table')).toEqual(['GET query', 'PUT a', 'PUT b', 'POST other', 'PUT a', 'PUT b', 'PUT c']);
    expect((await seeded.load('c')).state.lastRun?.at).toBe(3);
  });

  test('when another run changed a tenant after the query, its save is a conflict and the next load reads the store: no update is lost', async () => {
    const table = uniqueTableName('preload');
    const other = tableStore(table);
    const v1 = await other.save(ran('a', 1), null);
    const store = preloadedStateStore(tableStore(table));
    const stale = await store.load('a');
    await other.save(ran('a', 50), v1); // the other run, meanwhile
    await expect(store.save(ran('a', 2), stale.version)).rejects.toMatchObject({ code: 'state_conflict' });
    const fresh = await store.load('a');
    expect(fresh.state.lastRun?.at).toBe(50);
    await store.save({ ...fresh.state, lastSuccessAt: 60 }, fresh.version);
    expect((await other.load('a')).state).toMatchObject({ lastRun: { at: 50 }, lastSuccessAt: 60 });
  });

  test('when the query fails on one unreadable record, every tenant is loaded on its own and only that one fails', async () => {
    const table = uniqueTableName('preload');
    const seeded = tableStore(table);
    await seeded.save(ran('a', 1), null);
    await seeded.save(ran('bad', 1), null);
    const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
    await client.updateEntity({ partitionKey: 'bad', rowKey: 'state', chunks: 1, state0: '{"schema":1,"tenantId":"bad","assess' }, 'Merge');
    const store = preloadedStateStore(tableStore(table));
    const [a, bad] = await Promise.allSettled([store.load('a'), store.load('bad')]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { state: { tenantId: 'a', lastRun: { at: 1 } } } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'state_unreadable' } });
  });
});
