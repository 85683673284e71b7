import { AppError } from '../../../shared/domain/errors';
import { fleetAlertMemoryWindow, reportFleetHealth, type FleetAlertMemory } from '../../../shared/useCases/reportFleetHealth';
import { readQueuesOptions } from '../../support/queueHost';
import type { CheckOptions } from '../../../shared/useCases/checkExpiry';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';
import { memoryStateStore } from '../../fakes/memoryStateStore';
import { recordingNotifier } from '../../fakes/recordingNotifier';

const HOME = 'home-tenant';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("reportFleetHealth: the fleet's one alert and the customer routes", () => {
  test("when every tenant fails for a shared cause, the fleet's alert goes to the global channels only, never to a route, even one of the home tenant", async () => {
    const teams = recordingNotifier('teams');
    const acmeTeams = { ...recordingNotifier('teams'), route: 'ACME' };
    const received = acmeTeams.received;
    const options: CheckOptions = { tenantId: HOME, tenantName: 'Home', routes: ['ACME'], kinds: [], policy: DEFAULT_POLICY, notify: true, deliveryAttempts: 1 };
    const cause = new AppError('graph_auth_failed', 'The managed identity endpoint did not answer.', { sharedCause: 'identity_endpoint' });
    const report = await reportFleetHealth(
      { store: memoryStateStore(), notifiers: [teams, acmeTeams], clock: { now: () => Date.UTC(2026, 11, 1) }, logger: quiet, newId: () => 'evt-1', sleep: async () => undefined },
      options,
      { cause, tried: 3, notTried: 7, total: 10 },
    );
    expect(teams.received.map((e) => e.key)).toEqual([`${HOME}:monitor:fleet`]);
    expect(received).toEqual([]);
    expect(report?.channels.map((c) => c.channel)).toEqual(['teams']);
  });
});

describe("reportFleetHealth: a process's memory that the fleet's alert is closed (a Functions instance, one check per message)", () => {
  const options: CheckOptions = { tenantId: HOME, tenantName: 'Home', kinds: [], policy: DEFAULT_POLICY, notify: true, deliveryAttempts: 1 };
  const cause = new AppError('graph_auth_failed', 'Microsoft Entra sign-in failed.', { sharedCause: 'entra' });
  const good = { tried: 1, notTried: 0, total: 10 };
  const T0 = Date.UTC(2026, 11, 1);

  /** A store counting the reads of the fleet's record, a channel, a clock moved by hand, and a process's memory. */
  function instance(store = memoryStateStore()) {
    let now = T0;
    const reads = { fleet: 0 };
    const counted = { ...store, load: (id: string) => ((reads.fleet += id.startsWith('fleet:') ? 1 : 0), store.load(id)) };
    const teams = recordingNotifier('teams');
    const memory: FleetAlertMemory = { closedUntil: 0, raised: 0 };
    const deps = { store: counted, notifiers: [teams], clock: { now: () => now }, logger: quiet, newId: () => `evt-${now}`, sleep: async () => undefined };
    return {
      store,
      reads,
      teams,
      at: (ms: number) => (now = T0 + ms),
      report: (outcome: Parameters<typeof reportFleetHealth>[2]) => reportFleetHealth(deps, options, outcome, memory),
    };
  }
  const actions = (teams: ReturnType<typeof recordingNotifier>) => teams.received.map((e) => e.type);

  test("when the fleet's alert was found closed, the good checks of the next 30 s do not read its record, and the first one after them does", async () => {
    const a = instance();
    await a.report(good);
    expect(a.reads.fleet).toBe(1);
    for (const ms of [1_000, 10_000, 29_999]) {
      a.at(ms);
      await a.report(good);
    }
    expect(a.reads.fleet).toBe(1);
    a.at(30_000);
    await a.report(good);
    expect(a.reads.fleet).toBe(2);
  });

  test('when another instance raises the fleet\'s alert meanwhile, a good check here resolves it once the memory has lapsed (up to 30 s later), not before', async () => {
    const a = instance();
    const b = instance(a.store);
    await a.report(good); // closed: remembered by a
    b.at(5_000);
    await b.report({ ...good, cause });
    expect(actions(b.teams)).toEqual(['alert']);
    a.at(20_000);
    expect(await a.report(good)).toBeUndefined();
    a.at(30_000);
    await a.report(good);
    expect(actions(a.teams)).toEqual(['resolved']);
  });

  test("when an invocation of this process raises the fleet's alert, its next good check resolves it at once, whatever it remembered", async () => {
    const a = instance();
    await a.report(good);
    a.at(1_000);
    await a.report({ ...good, cause });
    a.at(2_000);
    await a.report(good);
    expect(actions(a.teams)).toEqual(['alert', 'resolved']);
  });

  test("when a good check's look at the record overlaps a raise in the same process, it remembers nothing: the next good check looks again and resolves it", async () => {
    const a = instance();
    // The look starts (record closed), then the raise completes before the look returns.
    const look = a.report(good);
    await a.report({ ...good, cause });
    await look;
    a.at(1_000);
    await a.report(good);
    expect(actions(a.teams)).toEqual(['alert', 'resolved']);
  });

  test("when the queue retries a message that failed for the shared cause, every instance's memory has lapsed: the window is shorter than host.json's visibilityTimeout", () => {
    // Two settings compared (not a timing): host.json's retry delay outlasts the instance's memory.
    expect(readQueuesOptions().visibilityTimeoutMs).toBeGreaterThan(fleetAlertMemoryWindow.ms);
  });
});
