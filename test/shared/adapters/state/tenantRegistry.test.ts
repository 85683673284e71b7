import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { createFileStateStore, openStateFile } from '../../../../shared/adapters/state/fileStateStore';
import { createFileTenantRegistry } from '../../../../shared/adapters/state/fileTenantRegistry';
import { createTableStateStore } from '../../../../shared/adapters/state/tableStateStore';
import { createTableTenantRegistry } from '../../../../shared/adapters/state/tableTenantRegistry';
import { emptyRegistry, registerTenants, type TenantRegistryRecord } from '../../../../shared/domain/tenantRegistry';
import { emptyTenantState } from '../../../../shared/domain/tenantState';
import type { StateStore } from '../../../../shared/ports/stateStore';
import type { TenantRegistry } from '../../../../shared/ports/tenantRegistry';
import { uniqueTableName } from '../../../support/azurite';

const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const withTenants = (ids: string[]): TenantRegistryRecord => registerTenants(emptyRegistry(), ids.map((id) => ({ id, name: `Customer ${id.slice(0, 4)}`, routes: ['FAB'] })), { setting: [], now: 1_800_000_000_000, via: 'add' }).registry;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-registry-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Storage {
  store: StateStore;
  registry: TenantRegistry;
  /** The same storage opened again, as the next run (or another process) does. */
  reopen(): { store: StateStore; registry: TenantRegistry };
}

const stores: [string, () => Storage][] = [
  [
    'the state file',
    () => {
      const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
      const open = () => {
        const records = openStateFile(path);
        return { store: createFileStateStore(records), registry: createFileTenantRegistry(records) };
      };
      return { ...open(), reopen: open };
    },
  ],
  [
    'Table Storage (Azurite)',
    () => {
      const options = { connection: { kind: 'connectionString' as const, connectionString }, table: uniqueTableName('registry') };
      const open = () => ({ store: createTableStateStore(options), registry: createTableTenantRegistry(options) });
      return { ...open(), reopen: open };
    },
  ],
];

describe.each(stores)('the tenant registry in %s', (_where, make) => {
  test('when nothing was registered (no table or file yet), it loads empty with no version', async () => {
    await expect(make().registry.load()).resolves.toEqual({ registry: emptyRegistry(), version: null });
  });

  test('when a registry is saved, the next run loads it back with its version; a save from an older version is a conflict and changes nothing', async () => {
    const s = make();
    const v1 = await s.registry.save(withTenants([A]), null);
    const next = s.reopen();
    const loaded = await next.registry.load();
    expect(loaded).toEqual({ registry: withTenants([A]), version: v1 });
    const v2 = await next.registry.save(withTenants([A, B]), v1);
    expect(v2).not.toBe(v1);
    await expect(s.reopen().registry.save(withTenants([]), v1)).rejects.toMatchObject({ code: 'state_conflict' });
    await expect(s.reopen().registry.save(withTenants([]), null)).rejects.toMatchObject({ code: 'state_conflict' });
    expect((await s.reopen().registry.load()).registry.tenants.map((t) => t.id)).toEqual([A, B]);
  });

  test("when the registry and tenants' state are stored together, neither shows in the other: the status page's one read lists tenants only", async () => {
    const s = make();
    await s.store.save({ ...emptyTenantState(A), lastRun: { at: 1, ok: true, worstSeverity: 'ok' } }, null);
    await s.registry.save(withTenants([A, B]), null);
    await s.store.close();
    const next = s.reopen();
    expect((await next.store.loadAll()).map((v) => v.state.tenantId)).toEqual([A]);
    expect((await next.registry.load()).registry.tenants).toHaveLength(2);
  });
});

describe('an unreadable registry', () => {
  test('when the state file holds a registry that is not ours, reading it is state_unreadable and the file is left as it was', async () => {
    const path = join(dir, 'foreign.json');
    const text = JSON.stringify({ format: 'intune-apns-monitor/state', schema: 2, records: { '~fleet': { registry: { version: 1, value: { tenants: 'all of them' } } } } });
    writeFileSync(path, text);
    const records = openStateFile(path);
    await expect(createFileTenantRegistry(records).load()).rejects.toMatchObject({ code: 'state_unreadable', message: expect.stringContaining('tenant registry') });
    await expect(createFileTenantRegistry(records).save(emptyRegistry(), '1')).rejects.toMatchObject({ code: 'state_unreadable' });
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  test('when the registry entity in Table Storage is not JSON, reading it is state_unreadable, naming the table', async () => {
    const table = uniqueTableName('registry');
    const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
    await client.createTable();
    await client.createEntity({ partitionKey: '~fleet', rowKey: 'registry', chunks: 1, state0: '{"schema":1,"tenants":[' });
    await expect(createTableTenantRegistry({ connection: { kind: 'connectionString', connectionString }, table }).load()).rejects.toMatchObject({
      code: 'state_unreadable',
      message: expect.stringMatching(new RegExp(`tenant registry in table "${table}".*not valid JSON`)),
    });
  });
});
