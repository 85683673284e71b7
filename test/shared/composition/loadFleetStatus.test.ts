import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createFileAuditLog } from '../../../shared/adapters/state/fileAuditLog';
import { createFileProposalStore } from '../../../shared/adapters/state/fileProposalStore';
import { createFileStateStore, openStateFile } from '../../../shared/adapters/state/fileStateStore';
import { createTableProposalStore } from '../../../shared/adapters/state/tableProposalStore';
import { createTableAuditLog } from '../../../shared/adapters/state/tableRenewalLock';
import { createTableStateStore } from '../../../shared/adapters/state/tableStateStore';
import { loadFleetStatus } from '../../../shared/composition/createServices';
import { loadConfig } from '../../../shared/config/loadConfig';
import { emptyTenantState, type TenantState } from '../../../shared/domain/tenantState';
import type { AuditEntry } from '../../../shared/ports/auditLog';
import { proposalFixture } from '../../fakes/proposals';
import { uniqueTableName } from '../../support/azurite';
import { recordStorageRequests, type StorageRequestRecorder } from '../../support/storageRequests';

const NOW = Date.UTC(2027, 0, 15, 8);
const DAY = 86_400_000;
const TENANTS = 60;
// A connection string is all the table needs; the credential is never asked for a token.
const noCredential: TokenCredential = { getToken: async (): Promise<AccessToken | null> => null };

let dir: string;
let recorder: StorageRequestRecorder;
beforeAll(async () => {
  recorder = await recordStorageRequests(process.env.APNS_TEST_TABLE_CONNECTION as string);
});
afterAll(async () => recorder.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-fleet-status-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function stateOf(tenantId: string, i: number): TenantState {
  const days = 10 + i * 3;
  const severity = days <= 30 ? ('warning' as const) : ('ok' as const);
  const key = `${tenantId}:apns:com.apple.mgmt.External.${i}`;
  return {
    ...emptyTenantState(tenantId),
    lastRun: { at: NOW - DAY, ok: true, worstSeverity: severity },
    lastSuccessAt: NOW - DAY,
    assessments: [{ key, tenantId, kind: 'apns', assetId: `com.apple.mgmt.External.${i}`, name: 'Apple MDM push certificate', severity, findings: [], expiresAt: NOW + days * DAY, daysRemaining: days, assessedAt: NOW - DAY }],
    channels: severity === 'ok' ? {} : { [key]: { log: { mark: { severity, at: NOW - DAY, eventId: `e${i}`, expiresAt: NOW + days * DAY, cause: 'expiry' } } } },
  };
}

const audited = (tenantId: string, n: number): AuditEntry => ({
  id: `${tenantId}-${n}`, at: NOW - n * DAY, tenantId, actor: 'alex@contoso.example', via: 'cli', secretName: 'apns-certificate', secretVersion: null,
  dryRun: true, allowNewTopic: false, outcome: 'valid', message: `dry run ${n}`, old: null, new: null, correlationId: `c${n}`,
});

describe('loadFleetStatus: the status page and GET /api/apns/status of a fleet', () => {
  test('when 60 tenants are shown, Table Storage is asked once for the states, once for the audit, once for the proposals and once for the registry (not per tenant, no table creation), and the file gives the same view', async () => {
    const ids = Array.from({ length: TENANTS }, () => randomUUID());
    const table = uniqueTableName('fleetstatus');
    const config = loadConfig({
      APNS_TENANT_ID: randomUUID(),
      APNS_TENANTS: ids.map((id, i) => `${id}=Customer ${i + 1}`).join(','),
      APNS_APP_CLIENT_ID: randomUUID(),
      APNS_STATE_CONNECTION: recorder.connectionString,
      APNS_STATE_TABLE: table,
    });
    const connection = { kind: 'connectionString' as const, connectionString: recorder.connectionString };
    const stateFile = join(dir, 'state.json');
    const stores = [createTableStateStore({ connection, table }), createFileStateStore(stateFile)];
    const audits = [createTableAuditLog({ connection, table }), createFileAuditLog(stateFile)];
    // Every tenant but the last has a state; every 7th a renewal trail of 3 entries.
    for (const [i, id] of ids.slice(0, -1).entries()) {
      for (const store of stores) await store.save(stateOf(id, i), null);
      if (i % 7 === 0) for (const audit of audits) for (const n of [3, 2, 1]) await audit.record(audited(id, n));
    }
    await stores[1]?.close();
    // One renewal proposal waits for the fifth tenant (its own partition in the table, records in the file).
    const proposal = proposalFixture(NOW, { tenantId: ids[4] as string, tenantName: 'Customer 5', secretName: `apns-certificate-${ids[4]}`, proposedAt: NOW - DAY });
    for (const proposals of [createTableProposalStore({ connection, table }), createFileProposalStore(openStateFile(stateFile))]) {
      await proposals.create(proposal);
      await proposals.close();
    }

    recorder.requests.length = 0;
    const clock = { now: () => NOW };
    const fromTable = await loadFleetStatus(config, noCredential, undefined, clock);
    // Three queries (states, audit, the proposals' partition) and the fleet registry's one point read;
    // nothing else: no table creation on a read either.
    expect(recorder.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`).sort()).toEqual(
      [...Array(3).fill(`GET /devstoreaccount1/${table}()`), `GET /devstoreaccount1/${table}(PartitionKey='~fleet',RowKey='registry')`].sort(),
    );
    const fromFile = await loadFleetStatus(config, noCredential, stateFile, clock);

    expect(fromTable.tenants.map((t) => t.tenantId)).toEqual(ids);
    expect(fromFile).toEqual(fromTable);
    const seventh = fromTable.tenants[7];
    expect(seventh?.renewals.map((r) => r.message)).toEqual(['dry run 1', 'dry run 2', 'dry run 3']);
    expect(seventh?.assets[0]).toMatchObject({ severity: 'ok', daysRemaining: 31 });
    expect(Object.values(fromTable.tenants[3]?.openAlerts ?? {})).toEqual([{ log: 'warning' }]);
    expect(fromTable.tenants.at(-1)).toMatchObject({ tenantName: `Customer ${TENANTS}`, lastRun: null, assets: [], renewals: [], proposals: [] });
    expect(fromTable.tenants[4]?.proposals).toEqual([expect.objectContaining({ id: 'a1b2c3d4e5f6', state: 'pending', lapsesAt: '2027-01-21T08:00:00.000Z' })]);
  });
});
