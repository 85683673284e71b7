'use strict';
// Issue 20: a page view of the status page for 1,000 tenants, from Table Storage (Azurite) and from
// the CLI's state file, end to end (workers/pageRequest.js, a fresh process each). The state is
// written first through the product's own stores (lib/fleetStates.js: what runs would have stored).
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { runWorker, workerEnv } = require('./lib/child');
const { tenantState, auditEntries, tenantName } = require('./lib/fleetStates');

const dist = join(__dirname, '..', 'dist', 'shared');
const load = (p) => require(join(dist, p));
const { createTableStateStore } = load('adapters/state/tableStateStore.js');
const { createTableAuditLog } = load('adapters/state/tableRenewalLock.js');
const { createFileStateStore } = load('adapters/state/fileStateStore.js');
const { createFileAuditLog } = load('adapters/state/fileAuditLog.js');
const { runPool } = load('useCases/runPool.js');

async function store(stateStore, auditLog, ids, now) {
  await runPool(ids, 16, async (id, i) => {
    await stateStore.save(tenantState(i, now, id), null);
    for (const entry of auditEntries(i, now, id)) await auditLog.record(entry);
  });
  await stateStore.close();
}

async function pageBench({ dir, storage, tenants, runs, baselineRuns }) {
  const now = Date.now();
  const ids = Array.from({ length: tenants }, () => randomUUID());
  const table = `benchpage${process.pid}`;
  const stateFile = join(dir, 'page-state.json');
  const connection = { kind: 'connectionString', connectionString: storage };
  await store(createTableStateStore({ connection, table }), createTableAuditLog({ connection, table }), ids, now);
  await store(createFileStateStore(stateFile), createFileAuditLog(stateFile), ids, now);
  const env = workerEnv({
    APNS_TENANT_ID: randomUUID(),
    APNS_TENANTS: ids.map((id, i) => `${id}=${tenantName(i)}`).join(','),
    APNS_APP_CLIENT_ID: randomUUID(),
    APNS_STATE_CONNECTION: storage,
    APNS_STATE_TABLE: table,
  });
  const args = [String(runs), String(baselineRuns)];
  const fromTable = (await runWorker('pageRequest.js', { env, args: ['-', ...args], timeoutMs: 300_000 })).result;
  const fromFile = (await runWorker('pageRequest.js', { env, args: [stateFile, ...args], timeoutMs: 300_000 })).result;
  return { tenants, table: fromTable, file: fromFile };
}

module.exports = { pageBench };
