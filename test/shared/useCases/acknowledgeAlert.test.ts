import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileAuditLog } from '../../../shared/adapters/state/fileAuditLog';
import { createFileStateStore } from '../../../shared/adapters/state/fileStateStore';
import { createTableAuditLog } from '../../../shared/adapters/state/tableRenewalLock';
import { createTableStateStore } from '../../../shared/adapters/state/tableStateStore';
import type { MonitoredKind } from '../../../shared/domain/assets';
import type { TenantSnapshot } from '../../../shared/domain/snapshot';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';
import { isAcknowledgementEntry, type AuditLog } from '../../../shared/ports/auditLog';
import type { Clock } from '../../../shared/ports/clock';
import type { IntuneGateway } from '../../../shared/ports/intuneGateway';
import type { StateStore } from '../../../shared/ports/stateStore';
import { noTelemetry } from '../../../shared/ports/telemetry';
import { acknowledgeAlert, unacknowledgeAlert } from '../../../shared/useCases/acknowledgeAlert';
import { checkExpiry } from '../../../shared/useCases/checkExpiry';
import { getStatus } from '../../../shared/useCases/getStatus';
import { uniqueTableName } from '../../support/azurite';
import { recordingNotifier } from '../../fakes/recordingNotifier';
import { apnsCert, days, NOW, snapshot, TENANT, TOPIC } from '../../fakes/snapshots';

// An acknowledgement through the real state stores (the CLI's file and Table Storage in Azurite):
// stored with the tenant's state, applied by the next runs (reminders paused, then resumed), and
// recorded in the audit trail with who, why and until when.
const DAY = 86_400_000;
const KEY = `${TENANT}:apns:${TOPIC}`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cli = { actor: 'ada@laptop (CLI)', via: 'cli' as const, correlationId: 'c-1' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-ack-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function storage(kind: 'file' | 'table'): { store: StateStore; audit: AuditLog } {
  if (kind === 'file') {
    const path = join(dir, `state-${++n}.json`);
    return { store: createFileStateStore(path), audit: createFileAuditLog(path) };
  }
  const options = { connection: { kind: 'connectionString' as const, connectionString: process.env.APNS_TEST_TABLE_CONNECTION as string }, table: uniqueTableName('ack') };
  return { store: createTableStateStore(options), audit: createTableAuditLog(options) };
}

/** A clock the test moves, and a tenant whose certificate expires NOW + `expiresIn` days. */
function world(kind: 'file' | 'table', expiresIn = 25) {
  const { store, audit } = storage(kind);
  const clock: Clock & { at: number } = { at: NOW, now: () => clock.at };
  const snap: TenantSnapshot = snapshot({ apns: apnsCert({ expirationDateTime: days(expiresIn) }) });
  const gateway: IntuneGateway = {
    readTenant: async (_kinds: readonly MonitoredKind[]) => snap,
    getApnsCertificate: async () => null,
    uploadApnsCertificate: async () => {
      throw new Error('not used');
    },
    downloadCsr: async () => '',
  };
  const teams = recordingNotifier('teams');
  let id = 0;
  const deps = { gateway, store, notifiers: [teams], clock, logger: quiet, telemetry: noTelemetry, newId: () => `id-${++id}`, sleep: async () => undefined };
  const options = { tenantId: TENANT, tenantName: 'Contoso', kinds: ['apns'] as const, policy: DEFAULT_POLICY, notify: true, deliveryAttempts: 1 };
  return {
    store,
    audit,
    clock,
    teams,
    ackDeps: { store, audit, clock, newId: () => `audit-${++id}` },
    async runAt(day: number) {
      clock.at = NOW + day * DAY;
      const before = teams.received.length;
      const report = await checkExpiry(deps, options);
      await store.close();
      return { report, sent: teams.received.slice(before) };
    },
  };
}

describe.each(['file', 'table'] as const)('acknowledging an alert with the %s store', (kind) => {
  test('when a warning is acknowledged for 10 days, its weekly reminder is paused, then resumes once the date passes; the audit trail says who, why and until when', async () => {
    const w = world(kind);
    expect((await w.runAt(0)).sent.map((e) => e.type)).toEqual(['alert']);
    w.clock.at = NOW + DAY;
    const ack = await acknowledgeAlert(w.ackDeps, { key: KEY, until: NOW + 10 * DAY, reason: 'Renewal booked for Thursday' }, cli);
    expect(ack).toMatchObject({ key: KEY, severity: 'warning', by: cli.actor, until: NOW + 10 * DAY, assetName: 'Apple MDM push certificate' });

    const paused = await w.runAt(8); // the weekly reminder is due (7 days after the alert)
    expect(paused.sent).toEqual([]);
    expect(paused.report.acknowledgements.map((a) => a.key)).toEqual([KEY]);

    const resumed = await w.runAt(11);
    expect(resumed.sent.map((e) => [e.type, e.acknowledgement?.status])).toEqual([['reminder', 'lapsed']]);
    expect(resumed.report.acknowledgements).toEqual([]);

    const status = await getStatus(w.store, { id: TENANT, name: 'Contoso' }, w.audit);
    expect(status.assets.find((a) => a.key === KEY)?.acknowledgement).toBeNull();
    expect(status.acknowledgements).toEqual([
      expect.objectContaining({ kind: 'acknowledgement', outcome: 'acknowledged', actor: cli.actor, key: KEY, severity: 'warning', reason: 'Renewal booked for Thursday', until: '2026-12-03T08:00:00.000Z', via: 'cli' }),
    ]);
    expect(status.renewals).toEqual([]); // an acknowledgement is not a renewal attempt
  });

  test('when the certificate gets critical during the acknowledgement, the alert breaks through at once and the acknowledgement ends', async () => {
    const w = world(kind);
    await w.runAt(0);
    await acknowledgeAlert(w.ackDeps, { key: KEY, until: NOW + 20 * DAY, reason: 'Renewal booked' }, cli);
    const status = await getStatus(w.store, { id: TENANT, name: 'Contoso' }, w.audit);
    expect(status.assets.find((a) => a.key === KEY)?.acknowledgement).toEqual({ by: cli.actor, reason: 'Renewal booked', severity: 'warning', at: '2026-11-23T08:00:00.000Z', until: '2026-12-13T08:00:00.000Z' });
    const escalated = await w.runAt(19); // 6 days left
    expect(escalated.sent.map((e) => [e.type, e.severity, e.acknowledgement?.status])).toEqual([['alert', 'critical', 'escalated']]);
    expect((await w.store.load(TENANT)).state.acks).toBeUndefined();
  });

  test('when expired or the monitor failing is acknowledged, it is refused and the state and audit trail are unchanged', async () => {
    const w = world(kind, -2);
    await w.runAt(0);
    const before = await w.store.load(TENANT);
    await expect(acknowledgeAlert(w.ackDeps, { key: KEY, until: NOW + DAY, reason: 'later' }, cli)).rejects.toMatchObject({ code: 'ack_refused', message: expect.stringMatching(/never goes quiet/) });
    await expect(acknowledgeAlert(w.ackDeps, { key: `${TENANT}:monitor:monitor`, until: NOW + DAY, reason: 'later' }, cli)).rejects.toMatchObject({ code: 'ack_refused', message: expect.stringMatching(/monitor failures never go quiet/) });
    expect((await w.store.load(TENANT)).version).toBe(before.version);
    expect(await w.audit.latest(TENANT, 10)).toEqual([]);
  });

  test('when an acknowledgement is ended, the next due reminder goes out; ending it again is refused', async () => {
    const w = world(kind);
    await w.runAt(0);
    await acknowledgeAlert(w.ackDeps, { key: KEY, until: NOW + 20 * DAY, reason: 'Renewal booked' }, cli);
    w.clock.at = NOW + 2 * DAY;
    await unacknowledgeAlert(w.ackDeps, KEY, { ...cli, actor: 'bob@laptop (CLI)' });
    expect((await w.runAt(8)).sent.map((e) => e.type)).toEqual(['reminder']);
    await expect(unacknowledgeAlert(w.ackDeps, KEY, cli)).rejects.toMatchObject({ code: 'ack_refused', message: expect.stringMatching(/is not acknowledged/) });
    const trail = (await w.audit.latest(TENANT, 10)).filter(isAcknowledgementEntry);
    expect(trail.map((e) => [e.outcome, e.actor])).toEqual([
      ['unacknowledged', 'bob@laptop (CLI)'],
      ['acknowledged', cli.actor],
    ]);
  });
});
