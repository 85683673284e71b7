import type { MonitoredKind } from '../../../shared/domain/assets';
import type { TenantSnapshot } from '../../../shared/domain/snapshot';
import { AppError } from '../../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';
import { fixedClock } from '../../../shared/ports/clock';
import type { IntuneGateway } from '../../../shared/ports/intuneGateway';
import type { Logger } from '../../../shared/ports/logger';
import { noTelemetry } from '../../../shared/ports/telemetry';
import { checkExpiry, runFailure, type CheckDeps } from '../../../shared/useCases/checkExpiry';
import { memoryStateStore } from '../../fakes/memoryStateStore';
import { recordingNotifier } from '../../fakes/recordingNotifier';
import { apnsCert, days, NOW, snapshot, TENANT } from '../../fakes/snapshots';

function gatewayReturning(get: () => TenantSnapshot | Promise<TenantSnapshot>): IntuneGateway & { reads: number } {
  const gw = {
    reads: 0,
    async readTenant(_kinds: readonly MonitoredKind[]) {
      gw.reads++;
      return get();
    },
    async getApnsCertificate() {
      return null;
    },
    async uploadApnsCertificate() {
      throw new Error('not used');
    },
    async downloadCsr() {
      return '';
    },
  };
  return gw;
}

function logs(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

function deps(over: Partial<CheckDeps> = {}): CheckDeps {
  let n = 0;
  return {
    gateway: gatewayReturning(() => snapshot()),
    store: memoryStateStore(),
    notifiers: [recordingNotifier('log')],
    clock: fixedClock(NOW),
    logger: logs(),
    telemetry: noTelemetry,
    newId: () => `id-${++n}`,
    sleep: async () => undefined,
    ...over,
  };
}

const options = { tenantId: TENANT, tenantName: 'Contoso', kinds: ['apns', 'vpp', 'ade'] as const, policy: DEFAULT_POLICY, notify: true, deliveryAttempts: 3 };
const in25 = () => snapshot({ apns: apnsCert({ expirationDateTime: days(25) }) });

describe('checkExpiry', () => {
  test('when the certificate is at 25 days, each channel gets one warning and the state records it', async () => {
    const teams = recordingNotifier('teams');
    const pd = recordingNotifier('pagerduty', 'warning');
    const store = memoryStateStore();
    const report = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams, pd], store }), options);
    expect(report.worst).toBe('warning');
    expect(report.channels).toEqual([
      { channel: 'pagerduty', sent: 1, failed: 0, errors: [] },
      { channel: 'teams', sent: 1, failed: 0, errors: [] },
    ]);
    expect(teams.received[0]?.id).toBe(pd.received[0]?.id);
    expect(store.docs.get(TENANT)?.state.lastRun).toMatchObject({ ok: true, worstSeverity: 'warning' });
    expect(runFailure(report)).toBeUndefined();
  });

  test('when the identical run follows, nothing new is sent', async () => {
    const teams = recordingNotifier('teams');
    const d = deps({ gateway: gatewayReturning(in25), notifiers: [teams] });
    await checkExpiry(d, options);
    const second = await checkExpiry({ ...d, clock: fixedClock(NOW + 3_600_000) }, options);
    expect(teams.received).toHaveLength(1);
    expect(second.channels).toEqual([]);
  });

  test('when two runs overlap on the same state, each message is sent once', async () => {
    const teams = recordingNotifier('teams');
    teams.slow(30);
    const store = memoryStateStore();
    const shared = { gateway: gatewayReturning(in25), notifiers: [teams], store };
    const [a, b] = await Promise.all([checkExpiry(deps(shared), options), checkExpiry(deps(shared), options)]);
    expect(teams.received).toHaveLength(1);
    expect(a.channels.length + b.channels.length).toBe(1);
  });

  test('when a channel refuses past its tries, the run reports it, the others are recorded, and the next run retries only it', async () => {
    const teams = recordingNotifier('teams');
    const slack = recordingNotifier('slack');
    teams.failNext(3);
    const d = deps({ gateway: gatewayReturning(in25), notifiers: [teams, slack] });
    const first = await checkExpiry(d, options);
    expect(teams.attempts).toBe(3);
    expect(first.deliveryFailed).toBe(true);
    expect(runFailure(first)?.code).toBe('delivery_failed');
    expect(runFailure(first)?.message).toContain('teams (teams answered 500)');
    const second = await checkExpiry({ ...d, clock: fixedClock(NOW + 60_000) }, options);
    expect(second.channels).toEqual([{ channel: 'teams', sent: 1, failed: 0, errors: [] }]);
    expect(slack.received).toHaveLength(1);
    expect(teams.received).toHaveLength(1);
  });

  test('when a failure is not retriable, the channel is not tried again in this run', async () => {
    const teams = recordingNotifier('teams');
    teams.failNext(1, { retriable: false });
    await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams] }), options);
    expect(teams.attempts).toBe(1);
  });

  test('when a read fails, the monitor alert is sent and recorded before the run reports its failure', async () => {
    const error = new AppError('graph_permission_denied', 'Graph answered 403 Forbidden.', { hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
    const teams = recordingNotifier('teams');
    const store = memoryStateStore();
    const broken = snapshot({ apns: { status: 'failed', error }, vpp: { status: 'failed', error }, ade: { status: 'failed', error } });
    const report = await checkExpiry(deps({ gateway: gatewayReturning(() => broken), notifiers: [teams], store }), options);
    expect(teams.received.map((e) => [e.key, e.severity])).toEqual([[`${TENANT}:monitor:monitor`, 'critical']]);
    expect(store.docs.get(TENANT)?.state.lastRun).toMatchObject({ ok: false, errorCode: 'graph_permission_denied' });
    const failure = runFailure(report);
    expect(failure?.code).toBe('graph_permission_denied');
    expect(failure?.describe()).toContain('DeviceManagementServiceConfig.Read.All');
  });

  test('when the gateway throws unexpectedly, it is a monitor failure, not a crash', async () => {
    const report = await checkExpiry(deps({ gateway: gatewayReturning(() => Promise.reject(new TypeError('boom'))) }), options);
    expect(report.readFailures.map((e) => e.code)).toEqual(['internal_error', 'internal_error', 'internal_error']);
    expect(report.assessments.find((a) => a.kind === 'monitor')?.severity).toBe('critical');
  });

  test('when notifications are off, nothing is sent and no state is written', async () => {
    const teams = recordingNotifier('teams');
    const store = memoryStateStore();
    const report = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams], store }), { ...options, notify: false });
    expect(report.worst).toBe('warning');
    expect(teams.attempts).toBe(0);
    expect(store.saves).toBe(0);
  });

  test('when --now moves time, the policy is evaluated at that instant', async () => {
    const report = await checkExpiry(deps({ gateway: gatewayReturning(() => snapshot({ apns: apnsCert({ expirationDateTime: days(90) }) })) }), {
      ...options,
      now: days(85),
    });
    expect(report.assessments.find((a) => a.kind === 'apns')).toMatchObject({ severity: 'critical', daysRemaining: 5 });
  });
});

/** A store that cannot be used: every load (or save) fails the way the adapters report it. */
function brokenStore(code: 'state_unreadable' | 'state_unavailable', when: 'load' | 'save' = 'load') {
  const inner = memoryStateStore();
  return Object.assign(inner, {
    async load(tenantId: string) {
      if (when === 'load') throw new AppError(code, 'The state file /x/state.json is unreadable: it is not valid JSON.', { hint: 'Fix or move it.' });
      return memoryStateStore().load(tenantId);
    },
    async save() {
      throw new AppError(code, 'Could not save the state in table "t" at host (ECONNREFUSED).', { retriable: true });
    },
  });
}

describe('checkExpiry: no silent loss (SPEC §3)', () => {
  test('when the state is unreadable, the assessed alert still goes out with a monitor alert about the state, and nothing is saved', async () => {
    const teams = recordingNotifier('teams');
    const store = brokenStore('state_unreadable');
    const report = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams], store }), options);
    expect(teams.received.map((e) => [e.asset.kind, e.severity])).toEqual(
      expect.arrayContaining([['apns', 'warning'], ['monitor', 'critical']]),
    );
    expect(teams.received.find((e) => e.asset.kind === 'monitor')?.summary).toContain('state could not be used');
    expect(store.saves).toBe(0);
    expect(runFailure(report)?.code).toBe('state_unreadable');
  });

  test('when the table is unreachable only when recording, what was sent stays sent and the run fails saying so', async () => {
    const teams = recordingNotifier('teams');
    const store = memoryStateStore();
    let saves = 0;
    const flaky = Object.assign(Object.create(store) as typeof store, {
      async save(state: Parameters<typeof store.save>[0], version: string | null) {
        if (++saves === 2) throw new AppError('state_unavailable', 'Could not save the state (ECONNREFUSED).', { retriable: true });
        return store.save(state, version);
      },
    });
    const report = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams], store: flaky }), options);
    expect(teams.received).toHaveLength(1);
    expect(runFailure(report)?.code).toBe('state_unavailable');
  });

  test('when a run died between claiming and recording, the rerun says so and fails, and a run after the lease sends it with the same id', async () => {
    const teams = recordingNotifier('teams');
    const store = memoryStateStore();
    const crashing = recordingNotifier('teams');
    crashing.send = () => new Promise(() => undefined); // the process dies while sending: never settles
    const dead = checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [crashing], store }), { ...options, claimLeaseMs: 120_000 });
    void dead;
    await new Promise((r) => setImmediate(r));
    const rerun = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams], store, clock: fixedClock(NOW + 60_000) }), { ...options, now: NOW + 60_000 });
    expect(teams.received).toHaveLength(0);
    expect(rerun.heldElsewhere.count).toBe(1);
    expect(runFailure(rerun)?.message).toMatch(/1 alert is being delivered by another run \(claimed until .*\); this run cannot confirm it was sent/);
    expect(store.docs.get(TENANT)?.state.lastRun).toMatchObject({ ok: false, errorCode: 'delivery_failed' });
    const claimed = Object.values(store.docs.get(TENANT)?.state.channels ?? {})[0]?.teams?.claim?.eventId;
    const later = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [teams], store, clock: fixedClock(NOW + 121_000) }), { ...options, now: NOW + 121_000 });
    expect(teams.received.map((e) => e.id)).toEqual([claimed]);
    expect(runFailure(later)).toBeUndefined();
  });

  test('when Intune was read, the state records the last successful check; a failed read leaves it', async () => {
    const store = memoryStateStore();
    await checkExpiry(deps({ gateway: gatewayReturning(in25), store }), options);
    expect(store.docs.get(TENANT)?.state.lastSuccessAt).toBe(NOW);
    const failed = { status: 'failed' as const, error: new AppError('graph_unavailable', 'down') };
    await checkExpiry(deps({ gateway: gatewayReturning(() => snapshot({ apns: failed, vpp: failed, ade: failed })), store, clock: fixedClock(NOW + 1000) }), { ...options, now: NOW + 1000 });
    expect(store.docs.get(TENANT)?.state.lastSuccessAt).toBe(NOW);
    expect(store.docs.get(TENANT)?.state.lastRun?.at).toBe(NOW + 1000);
  });

  test('when a receiver answers 410 Gone, that channel is switched off (the monitor warns through the others) until its setting changes', async () => {
    const store = memoryStateStore();
    const pd = recordingNotifier('pagerduty', 'warning');
    const gone = Object.assign(recordingNotifier('teams'), { fingerprint: 'aaaa' });
    gone.send = async () => {
      gone.attempts++;
      throw new AppError('channel_gone', 'teams answered 410 Gone: the receiver no longer exists. The channel is switched off until APNS_TEAMS_WEBHOOK_URL changes.');
    };
    await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [gone, pd], store }), options);
    expect(gone.attempts).toBe(1);
    expect(store.docs.get(TENANT)?.state.disabledChannels?.teams).toMatchObject({ fingerprint: 'aaaa' });

    const next = await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [gone, pd], store, clock: fixedClock(NOW + 1000) }), { ...options, now: NOW + 1000 });
    expect(gone.attempts).toBe(1); // not tried again
    expect(next.disabledChannels.map((d) => d.channel)).toEqual(['teams']);
    const warning = pd.received.find((e) => e.asset.kind === 'monitor');
    expect(warning?.summary).toContain('The teams channel is switched off since');

    const fixed = Object.assign(recordingNotifier('teams'), { fingerprint: 'bbbb' }); // the setting changed
    await checkExpiry(deps({ gateway: gatewayReturning(in25), notifiers: [fixed, pd], store, clock: fixedClock(NOW + 2000) }), { ...options, now: NOW + 2000 });
    expect(fixed.received.map((e) => e.asset.kind)).toContain('apns');
    expect(store.docs.get(TENANT)?.state.disabledChannels).toBeUndefined();
  });
});
