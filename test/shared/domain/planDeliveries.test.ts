import type { AssetKind } from '../../../shared/domain/assets';
import type { TenantSnapshot } from '../../../shared/domain/snapshot';
import { assessTenant } from '../../../shared/domain/assessTenant';
import type { ChannelPolicy, DestinationId } from '../../../shared/domain/channels';
import { detectApnsChanges, lastSeenOf } from '../../../shared/domain/detectChanges';
import { AppError } from '../../../shared/domain/errors';
import { applyDeliveryOutcomes, planDeliveries, type PlannedDelivery } from '../../../shared/domain/planDeliveries';
import type { Acknowledgement } from '../../../shared/domain/acknowledgement';
import { DEFAULT_POLICY, type AlertPolicy } from '../../../shared/domain/policy';
import { emptyTenantState, type TenantState } from '../../../shared/domain/tenantState';
import { apnsCert, days, NOW, snapshot, TENANT, TOPIC, vppToken } from '../../fakes/snapshots';

const HOUR = 3_600_000;
const CHANNELS: ChannelPolicy[] = [
  { name: 'log', minSeverity: 'notice' },
  { name: 'teams', minSeverity: 'notice' },
  { name: 'pagerduty', minSeverity: 'warning' },
];
const APNS_KEY = `${TENANT}:apns:${TOPIC}`;

/** Freezes `value` and everything in it: a pure function that changed its input would throw. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * One monitoring run through the pure functions: plan, "send" (failing the given channels), record.
 * Their inputs are frozen: they copy what they change (only that: no whole-state clone per run).
 */
function run(
  state: TenantState,
  s: TenantSnapshot,
  now: number,
  opts: { failing?: DestinationId[]; policy?: AlertPolicy; channels?: ChannelPolicy[]; routes?: string[]; ids?: () => string } = {},
) {
  let n = 0;
  const newId = opts.ids ?? (() => `evt-${now}-${++n}`);
  const policy = opts.policy ?? DEFAULT_POLICY;
  const channels = opts.channels ?? CHANNELS;
  const assessments = assessTenant(s, now, policy);
  const readKinds = new Set<AssetKind>(
    (['apns', 'vpp', 'ade'] as const).filter((k) => s[k].status === 'ok' || s[k].status === 'not_configured'),
  );
  const oneShots = detectApnsChanges(state.apns, s, assessments, now, newId, 'Contoso');
  const plan = planDeliveries({ assessments, readKinds, oneShots, state: deepFreeze(state), tenantName: 'Contoso', channels, ...(opts.routes ? { routes: opts.routes } : {}), now, policy, newId, leaseMs: 10 * 60_000 });
  plan.state.apns = lastSeenOf(s, state.apns);
  const outcomes = plan.deliveries.map((delivery) => ({ delivery, ok: !(opts.failing ?? []).includes(delivery.channel) }));
  const after = applyDeliveryOutcomes(deepFreeze(plan.state), outcomes, channels, now);
  return { deliveries: plan.deliveries, claimed: plan.state, state: after };
}

const summary = (ds: PlannedDelivery[]) => ds.map((d) => `${d.channel}:${d.event.type}:${d.event.severity}`).sort();
const apnsIn = (d: number, from = NOW) => snapshot({ apns: apnsCert({ expirationDateTime: days(d, from) }) });

describe('planDeliveries: the alert policy over time', () => {
  test('when the asset is healthy, nothing is sent and nothing is recorded for it', () => {
    const r = run(emptyTenantState(TENANT), apnsIn(200), NOW);
    expect(r.deliveries).toEqual([]);
    expect(r.state.channels).toEqual({});
    expect(r.state.assessments.map((a) => a.severity)).toEqual(['ok', 'ok']);
  });

  test('when the asset enters notice, channels at notice get one alert and PagerDuty (warning) gets none', () => {
    const r = run(emptyTenantState(TENANT), apnsIn(45), NOW);
    expect(summary(r.deliveries)).toEqual(['log:alert:notice', 'teams:alert:notice']);
    const [first] = r.deliveries;
    expect(first?.event.key).toBe(APNS_KEY);
    expect(new Set(r.deliveries.map((d) => d.event.id)).size).toBe(1); // one event, the same id on every channel
  });

  test('when the identical run happens again, nothing new is sent', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(45), NOW);
    const second = run(first.state, apnsIn(45), NOW + HOUR);
    expect(second.deliveries).toEqual([]);
  });

  test('when notice never repeats, even weeks later while still in the band', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(59), NOW);
    const later = run(first.state, apnsIn(59), NOW + 27 * 24 * HOUR);
    expect(later.deliveries).toEqual([]);
  });

  test('when the asset enters warning, every channel including PagerDuty gets an alert with the previous severity', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(45), NOW);
    const r = run(first.state, apnsIn(30), NOW);
    expect(summary(r.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning']);
    expect(r.deliveries.find((d) => d.channel === 'teams')?.event.previousSeverity).toBe('notice');
  });

  test('when a warning stays, it repeats after 168 hours and not before', () => {
    const expiry = days(25);
    const s = snapshot({ apns: apnsCert({ expirationDateTime: expiry }) });
    const first = run(emptyTenantState(TENANT), s, NOW);
    expect(run(first.state, s, NOW + 167 * HOUR).deliveries).toEqual([]);
    const reminder = run(first.state, s, NOW + 168 * HOUR);
    expect(summary(reminder.deliveries)).toEqual(['log:reminder:warning', 'pagerduty:reminder:warning', 'teams:reminder:warning']);
    expect(reminder.deliveries[0]?.event.title).toMatch(/^WARNING: Reminder — /);
    expect(run(reminder.state, s, NOW + 335 * HOUR).deliveries).toEqual([]);
    expect(run(reminder.state, s, NOW + 336 * HOUR).deliveries).toHaveLength(3);
  });

  test('when critical stays, it repeats every 24 hours', () => {
    const expiry = days(6);
    const s = snapshot({ apns: apnsCert({ expirationDateTime: expiry }) });
    const first = run(emptyTenantState(TENANT), s, NOW);
    expect(summary(first.deliveries)).toEqual(['log:alert:critical', 'pagerduty:alert:critical', 'teams:alert:critical']);
    expect(run(first.state, s, NOW + 23 * HOUR).deliveries).toEqual([]);
    expect(summary(run(first.state, s, NOW + 24 * HOUR).deliveries)).toEqual(['log:reminder:critical', 'pagerduty:reminder:critical', 'teams:reminder:critical']);
  });

  test('when the asset jumps from healthy straight to critical, it alerts once at critical', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(200), NOW);
    const r = run(first.state, apnsIn(5), NOW);
    expect(summary(r.deliveries)).toEqual(['log:alert:critical', 'pagerduty:alert:critical', 'teams:alert:critical']);
  });

  test('when it expires, it alerts as expired and never goes quiet, even past the grace period', () => {
    const expiry = days(3);
    const s = snapshot({ apns: apnsCert({ expirationDateTime: expiry }) });
    let state = run(emptyTenantState(TENANT), s, NOW).state;
    const expired = run(state, s, expiry + HOUR);
    expect(summary(expired.deliveries)).toEqual(['log:alert:expired', 'pagerduty:alert:expired', 'teams:alert:expired']);
    state = expired.state;
    for (let day = 1; day <= 45; day++) {
      const r = run(state, s, expiry + HOUR + day * 24 * HOUR);
      expect(summary(r.deliveries)).toEqual(['log:reminder:expired', 'pagerduty:reminder:expired', 'teams:reminder:expired']);
      state = r.state;
    }
  });

  test('when the expiry moves forward, every channel that was alerted gets "resolved" and the marks are cleared', () => {
    const alerted = run(emptyTenantState(TENANT), apnsIn(5), NOW);
    const renewed = run(alerted.state, snapshot({ apns: apnsCert({ expirationDateTime: days(370), certificateSerialNumber: 'AB12' }) }), NOW + HOUR);
    expect(summary(renewed.deliveries)).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    expect(renewed.deliveries[0]?.event.title).toMatch(/^RESOLVED: Apple MDM push certificate renewed — now expires in 369 days/);
    expect(renewed.deliveries[0]?.event.key).toBe(APNS_KEY);
    expect(renewed.state.channels).toEqual({});
    expect(run(renewed.state, apnsIn(369), NOW + 2 * HOUR).deliveries).toEqual([]);
  });

  test('when only notice channels were alerted, only they get "resolved"', () => {
    const alerted = run(emptyTenantState(TENANT), apnsIn(45), NOW);
    const renewed = run(alerted.state, apnsIn(400), NOW + HOUR);
    expect(summary(renewed.deliveries)).toEqual(['log:resolved:ok', 'teams:resolved:ok']);
  });

  test('when the expiry moves forward but stays in a band a channel still takes, the mark is lowered, not cleared', () => {
    const alerted = run(emptyTenantState(TENANT), apnsIn(5), NOW);
    const better = run(alerted.state, apnsIn(50), NOW + HOUR);
    expect(summary(better.deliveries)).toEqual(['log:resolved:notice', 'pagerduty:resolved:notice', 'teams:resolved:notice']);
    expect(better.state.channels[APNS_KEY]?.teams?.mark?.severity).toBe('notice');
    expect(better.state.channels[APNS_KEY]?.pagerduty).toBeUndefined();
  });

  test('when the band improves without the expiry moving (thresholds lowered), nothing is sent and the mark stays', () => {
    const alerted = run(emptyTenantState(TENANT), apnsIn(25), NOW);
    const policy = { ...DEFAULT_POLICY, warningDays: 20, criticalDays: 5 };
    const r = run(alerted.state, apnsIn(25), NOW + HOUR, { policy });
    expect(r.deliveries).toEqual([]);
    expect(r.state.channels[APNS_KEY]?.teams?.mark?.severity).toBe('warning');
  });
});

describe('planDeliveries: delivery per channel, at least once, never twice', () => {
  test('when Teams refuses, the others are marked and Teams alone gets the same event on the next run', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(25), NOW, { failing: ['teams'] });
    const teamsId = first.deliveries.find((d) => d.channel === 'teams')?.event.id;
    expect(first.state.channels[APNS_KEY]?.teams?.mark).toBeUndefined();
    expect(first.state.channels[APNS_KEY]?.teams?.claim?.until).toBe(0);
    const second = run(first.state, apnsIn(25), NOW + HOUR);
    expect(summary(second.deliveries)).toEqual(['teams:alert:warning']);
    expect(second.deliveries[0]?.event.id).toBe(teamsId);
    expect(second.state.channels[APNS_KEY]?.teams?.mark?.severity).toBe('warning');
    expect(run(second.state, apnsIn(25), NOW + 2 * HOUR).deliveries).toEqual([]);
  });

  test('when another run holds a live claim, this run leaves that delivery alone', () => {
    const s = apnsIn(25);
    const assessments = assessTenant(s, NOW, DEFAULT_POLICY);
    const base = { assessments, readKinds: new Set<AssetKind>(['apns', 'vpp', 'ade']), oneShots: [], tenantName: 'Contoso', channels: CHANNELS, policy: DEFAULT_POLICY, leaseMs: 600_000 };
    const a = planDeliveries({ ...base, state: emptyTenantState(TENANT), now: NOW, newId: () => 'a' });
    const b = planDeliveries({ ...base, state: a.state, now: NOW + 1000, newId: () => 'b' });
    expect(a.deliveries).toHaveLength(3);
    expect(b.deliveries).toEqual([]);
    // Once the lease has lapsed (the first run died), the next run retries with the same id.
    const c = planDeliveries({ ...base, state: a.state, now: NOW + 600_001, newId: () => 'c' });
    expect(c.deliveries.map((d) => d.event.id)).toEqual(['a', 'a', 'a']);
  });

  test('when a failed message is superseded by a worse one, the channel gets the worse one with a new id', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(25), NOW, { failing: ['teams'] });
    const second = run(first.state, apnsIn(5), NOW + HOUR);
    const teams = second.deliveries.find((d) => d.channel === 'teams');
    expect(teams?.event.severity).toBe('critical');
    expect(teams?.event.id).not.toBe(first.deliveries.find((d) => d.channel === 'teams')?.event.id);
  });
});

describe('planDeliveries: other conditions', () => {
  test('when a VPP token alerted and then disappears, it resolves as removed; not when the VPP read failed', () => {
    const token = vppToken({ expirationDateTime: days(20) });
    const alerted = run(emptyTenantState(TENANT), snapshot({ vpp: [token] }), NOW);
    expect(summary(alerted.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning']);
    const failedRead = run(alerted.state, snapshot({ vpp: { status: 'failed', error: new AppError('graph_unavailable', 'down') } }), NOW + HOUR);
    expect(failedRead.deliveries.filter((d) => d.event.asset.kind === 'vpp')).toEqual([]);
    expect(failedRead.state.assessments.find((a) => a.kind === 'vpp')).toMatchObject({ stale: true, severity: 'warning' });
    const removed = run(alerted.state, snapshot({ vpp: [] }), NOW + 2 * HOUR);
    expect(summary(removed.deliveries)).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    expect(removed.deliveries[0]?.event.title).toContain('no longer in Intune');
  });

  test('when the monitor cannot read Intune, it alerts critical; the next good run resolves it', () => {
    const error = new AppError('graph_permission_denied', 'Graph answered 403 Forbidden.', { hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
    const broken = snapshot({ apns: { status: 'failed', error }, vpp: { status: 'failed', error }, ade: { status: 'failed', error } });
    const failed = run(emptyTenantState(TENANT), broken, NOW);
    expect(summary(failed.deliveries)).toEqual(['log:alert:critical', 'pagerduty:alert:critical', 'teams:alert:critical']);
    expect(failed.deliveries[0]?.event.key).toBe(`${TENANT}:monitor:monitor`);
    expect(failed.deliveries[0]?.event.nextSteps).toEqual(['Grant DeviceManagementServiceConfig.Read.All.']);
    const good = run(failed.state, apnsIn(200), NOW + HOUR);
    expect(summary(good.deliveries)).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    expect(good.deliveries[0]?.event.title).toBe('RESOLVED: Expiry monitor reads Intune again');
  });

  test('when the APNs certificate appears after "not configured", the not-configured alert resolves', () => {
    const missing = run(emptyTenantState(TENANT), snapshot({ apns: { status: 'not_configured' } }), NOW);
    expect(summary(missing.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning']);
    const configured = run(missing.state, apnsIn(365), NOW + HOUR);
    expect(summary(configured.deliveries)).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    expect(configured.deliveries[0]?.event.key).toBe(`${TENANT}:apns:not-configured`);
  });

  test('when the topic changes, a one-shot critical goes out once per channel and the old topic alert closes', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(5), NOW);
    const newTopic = 'com.apple.mgmt.External.99999999-0000-0000-0000-000000000000';
    const s = snapshot({ apns: apnsCert({ topicIdentifier: newTopic, expirationDateTime: days(365) }) });
    const changed = run(first.state, s, NOW + HOUR, { failing: ['pagerduty'] });
    const oneShots = changed.deliveries.filter((d) => d.oneShot);
    expect(summary(oneShots)).toEqual(['log:changed:critical', 'pagerduty:changed:critical', 'teams:changed:critical']);
    expect(oneShots[0]?.event.key).toBe(`${TENANT}:apns:${newTopic}/topic-changed`);
    expect(oneShots[0]?.event.summary).toContain(`was ${TOPIC}`);
    expect(summary(changed.deliveries.filter((d) => !d.oneShot))).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    // PagerDuty refused the change: it alone gets it again; then the outbox is empty.
    const retry = run(changed.state, s, NOW + 2 * HOUR);
    expect(summary(retry.deliveries)).toEqual(['pagerduty:changed:critical', 'pagerduty:resolved:ok']);
    expect(retry.deliveries.find((d) => d.oneShot)?.event.id).toBe(oneShots[0]?.event.id);
    expect(retry.state.outbox).toEqual([]);
    expect(run(retry.state, s, NOW + 3 * HOUR).deliveries).toEqual([]);
  });

  test('when the Apple ID changes, a one-shot warning goes out', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(200), NOW);
    const r = run(first.state, snapshot({ apns: apnsCert({ appleIdentifier: 'someone-else@contoso.com' }) }), NOW + HOUR);
    expect(summary(r.deliveries)).toEqual(['log:changed:warning', 'pagerduty:changed:warning', 'teams:changed:warning']);
    expect(r.deliveries[0]?.event.title).toContain('Apple ID');
  });

  test('when a channel is switched off, its pending one-shots are dropped', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(200), NOW);
    const changed = run(first.state, snapshot({ apns: apnsCert({ appleIdentifier: 'x@contoso.com' }) }), NOW + HOUR, { failing: ['teams'] });
    expect(changed.state.outbox).toHaveLength(1);
    const without = run(changed.state, snapshot({ apns: apnsCert({ appleIdentifier: 'x@contoso.com' }) }), NOW + 2 * HOUR, { channels: CHANNELS.filter((c) => c.name !== 'teams') });
    expect(without.deliveries).toEqual([]);
    expect(without.state.outbox).toEqual([]);
  });
});

describe('planDeliveries: a renewal message resolves its key', () => {
  test('when a renewed one-shot goes out for a key with open alerts, no separate "resolved" is sent and the marks clear', async () => {
    const alerted = run(emptyTenantState(TENANT), apnsIn(5), NOW);
    const s = apnsIn(370);
    const assessments = assessTenant(s, NOW + HOUR, DEFAULT_POLICY);
    const renewed = { ...alerted.deliveries[0]!.event, id: 'renewed-1', type: 'renewed' as const, severity: 'ok' as const };
    const plan = planDeliveries({
      assessments,
      tenantName: 'Contoso',
      readKinds: new Set<AssetKind>(['apns', 'vpp', 'ade']),
      oneShots: [renewed],
      state: alerted.state,
      channels: CHANNELS,
      now: NOW + HOUR,
      policy: DEFAULT_POLICY,
      newId: () => 'x',
      leaseMs: 60_000,
    });
    expect(summary(plan.deliveries)).toEqual(['log:renewed:ok', 'pagerduty:renewed:ok', 'teams:renewed:ok']);
    expect(plan.state.channels[APNS_KEY]).toBeUndefined();
  });
});

describe('planDeliveries: customer routes (each destination its own record)', () => {
  const ROUTED: ChannelPolicy[] = [
    ...CHANNELS,
    { name: 'teams@ACME', minSeverity: 'warning', route: 'ACME' },
    { name: 'webhook@ACME', minSeverity: 'notice', route: 'ACME' },
    { name: 'teams@BETA', minSeverity: 'notice', route: 'BETA' },
  ];

  test("when a tenant has route ACME, its alerts go to the global channels and ACME's, never to another route's", () => {
    const r = run(emptyTenantState(TENANT), apnsIn(25), NOW, { channels: ROUTED, routes: ['ACME'] });
    expect(summary(r.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning', 'teams@ACME:alert:warning', 'webhook@ACME:alert:warning']);
    expect(Object.keys(r.state.channels[APNS_KEY] ?? {}).sort()).toEqual(['log', 'pagerduty', 'teams', 'teams@ACME', 'webhook@ACME']);
  });

  test('when a tenant has no route, the routes get nothing of it', () => {
    const r = run(emptyTenantState(TENANT), apnsIn(25), NOW, { channels: ROUTED });
    expect(summary(r.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning']);
  });

  test("when a route's minimum is warning, its copy starts at warning while the global channels had notice", () => {
    const notice = run(emptyTenantState(TENANT), apnsIn(45), NOW, { channels: ROUTED, routes: ['ACME'] });
    expect(summary(notice.deliveries)).toEqual(['log:alert:notice', 'teams:alert:notice', 'webhook@ACME:alert:notice']);
    const warning = run(notice.state, apnsIn(25), NOW + HOUR, { channels: ROUTED, routes: ['ACME'] });
    expect(summary(warning.deliveries)).toEqual(['log:alert:warning', 'pagerduty:alert:warning', 'teams:alert:warning', 'teams@ACME:alert:warning', 'webhook@ACME:alert:warning']);
    expect(warning.deliveries.find((d) => d.channel === 'teams@ACME')?.event.previousSeverity).toBeUndefined(); // it was never told notice
  });

  test("when the route's Teams refuses, only that destination gets the same event again; the global Teams is not sent twice", () => {
    const first = run(emptyTenantState(TENANT), apnsIn(25), NOW, { channels: ROUTED, routes: ['ACME'], failing: ['teams@ACME'] });
    expect(first.state.channels[APNS_KEY]?.teams?.mark?.severity).toBe('warning');
    expect(first.state.channels[APNS_KEY]?.['teams@ACME']?.mark).toBeUndefined();
    const second = run(first.state, apnsIn(25), NOW + HOUR, { channels: ROUTED, routes: ['ACME'] });
    expect(summary(second.deliveries)).toEqual(['teams@ACME:alert:warning']);
    expect(second.deliveries[0]?.event.id).toBe(first.deliveries.find((d) => d.channel === 'teams@ACME')?.event.id);
  });

  test('when a route is taken from the tenant, its pending one-shots are dropped and it gets nothing more', () => {
    const first = run(emptyTenantState(TENANT), apnsIn(200), NOW, { channels: ROUTED, routes: ['ACME'] });
    const changed = run(first.state, snapshot({ apns: apnsCert({ appleIdentifier: 'x@contoso.com' }) }), NOW + HOUR, { channels: ROUTED, routes: ['ACME'], failing: ['webhook@ACME'] });
    expect(changed.state.outbox).toHaveLength(1);
    const without = run(changed.state, snapshot({ apns: apnsCert({ appleIdentifier: 'x@contoso.com' }) }), NOW + 2 * HOUR, { channels: ROUTED });
    expect(without.deliveries).toEqual([]);
    expect(without.state.outbox).toEqual([]);
  });
});

describe('planDeliveries: acknowledgements (reminders paused, a worse severity breaks through)', () => {
  const DAY = 24 * HOUR;
  /** Warning at 25 days (expiry fixed at NOW + 25 d), acknowledged at warning until `until`. */
  function acknowledged(until: number): TenantState {
    const alerted = run(emptyTenantState(TENANT), apnsIn(25), NOW).state;
    const ack: Acknowledgement = { key: APNS_KEY, severity: 'warning', by: 'ada@msp.example', reason: 'renewal booked for Thursday', at: NOW + HOUR, until };
    return { ...alerted, acks: { [APNS_KEY]: ack } };
  }

  test.each([
    ['the weekly warning reminder falls inside the acknowledgement', [], true, 8, 10, undefined],
    ['the acknowledgement has ended (its date passed)', ['log:reminder:warning', 'pagerduty:reminder:warning', 'teams:reminder:warning'], false, 11, 10, 'lapsed'],
    ['a worse severity arrives (critical at 6 days left)', ['log:alert:critical', 'pagerduty:alert:critical', 'teams:alert:critical'], false, 19, 25, 'escalated'],
    ['nothing is due yet', [], true, 2, 10, undefined],
  ] as const)('when %s, the run sends %j and the acknowledgement still holds: %s', (_what, expected, holds, atDay, untilDay, status) => {
    const r = run(acknowledged(NOW + untilDay * DAY), apnsIn(25), NOW + atDay * DAY);
    expect(summary(r.deliveries)).toEqual(expected);
    expect(r.state.acks?.[APNS_KEY] !== undefined).toBe(holds);
    for (const d of r.deliveries) expect(d.event.acknowledgement).toMatchObject({ by: 'ada@msp.example', reason: 'renewal booked for Thursday', status });
  });

  test('when the escalation ended the acknowledgement, the critical reminders follow daily as before', () => {
    const escalated = run(acknowledged(NOW + 25 * DAY), apnsIn(25), NOW + 19 * DAY);
    const nextDay = run(escalated.state, apnsIn(25), NOW + 20 * DAY);
    expect(summary(nextDay.deliveries)).toEqual(['log:reminder:critical', 'pagerduty:reminder:critical', 'teams:reminder:critical']);
    expect(nextDay.deliveries[0]?.event.acknowledgement).toBeUndefined();
  });

  test('when the certificate is renewed, the resolution says the acknowledgement ended with it', () => {
    const r = run(acknowledged(NOW + 10 * DAY), apnsIn(370), NOW + 2 * DAY);
    expect(summary(r.deliveries)).toEqual(['log:resolved:ok', 'pagerduty:resolved:ok', 'teams:resolved:ok']);
    expect(r.deliveries[0]?.event.acknowledgement?.status).toBe('resolved');
    expect(r.state.acks).toBeUndefined();
  });

  test('when the APNs read fails during the acknowledgement, it holds (nothing is known to have changed)', () => {
    const failed = snapshot({ apns: { status: 'failed', error: new AppError('graph_unavailable', 'down') } });
    const r = run(acknowledged(NOW + 10 * DAY), failed, NOW + 8 * DAY);
    expect(r.deliveries.filter((d) => d.event.key === APNS_KEY)).toEqual([]);
    expect(r.state.acks?.[APNS_KEY]).toBeDefined();
  });

  test('when a destination was never told (a route added during the acknowledgement), it still gets its first alert, saying it is acknowledged', () => {
    const channels: ChannelPolicy[] = [...CHANNELS, { name: 'teams@ACME', minSeverity: 'notice', route: 'ACME' }];
    const r = run(acknowledged(NOW + 10 * DAY), apnsIn(25), NOW + 8 * DAY, { channels, routes: ['ACME'] });
    expect(summary(r.deliveries)).toEqual(['teams@ACME:alert:warning']);
    expect(r.deliveries[0]?.event.acknowledgement?.status).toBe('active');
  });
});
