import { createTableAuditLog } from '../../../../shared/adapters/state/tableRenewalLock';
import type { AuditEntry } from '../../../../shared/ports/auditLog';
import { uniqueTableName } from '../../../support/azurite';
import { recordStorageRequests, type StorageRequestRecorder } from '../../../support/storageRequests';

let recorder: StorageRequestRecorder;
beforeAll(async () => {
  recorder = await recordStorageRequests(process.env.APNS_TEST_TABLE_CONNECTION as string);
});
afterAll(async () => recorder.close());

const entry = (tenantId: string, n: number): AuditEntry => ({
  id: `${tenantId}-${n}`,
  at: 1_800_000_000_000 + n * 1000,
  tenantId,
  actor: 'alex@contoso.example',
  via: 'http',
  secretName: `apns-certificate-${tenantId}`,
  secretVersion: 'v1',
  dryRun: n % 2 === 0,
  allowNewTopic: false,
  outcome: 'valid',
  message: `attempt ${n}`,
  old: null,
  new: null,
  correlationId: `c-${n}`,
});

describe('tableAuditLog (Azurite)', () => {
  test('when the latest entries of every tenant are asked for, one query answers them, newest first, at most the count each', async () => {
    const audit = createTableAuditLog({ connection: { kind: 'connectionString', connectionString: recorder.connectionString }, table: uniqueTableName('audit') });
    const tenants = ['t-a', 't-b', 't-c'];
    for (let n = 0; n < 12; n++) await audit.record(entry(tenants[n % 3] as string, n));
    recorder.requests.length = 0;
    const byTenant = await audit.latestByTenant(3);
    expect(recorder.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect([...byTenant.keys()].sort()).toEqual(tenants);
    expect(byTenant.get('t-a')?.map((e) => e.id)).toEqual(['t-a-9', 't-a-6', 't-a-3']);
    await expect(audit.latest('t-b', 2)).resolves.toEqual([entry('t-b', 10), entry('t-b', 7)]);
  });

  test('when the table does not exist yet, there are no entries, and reading does not create it', async () => {
    const audit = createTableAuditLog({ connection: { kind: 'connectionString', connectionString: recorder.connectionString }, table: uniqueTableName('noaudit') });
    recorder.requests.length = 0;
    await expect(audit.latestByTenant(20)).resolves.toEqual(new Map());
    await expect(audit.latest('t-a', 20)).resolves.toEqual([]);
    expect(recorder.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });
});
