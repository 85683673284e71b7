import { AppError } from '../../../shared/domain/errors';
import { reportFleetHealth } from '../../../shared/useCases/reportFleetHealth';
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
