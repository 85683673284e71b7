import { syncFinding } from '../../../shared/domain/assessSync';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';

const HOUR = 3_600_000;
const READ = Date.UTC(2026, 10, 23, 8, 0, 0);
const age = (elapsedMs: number, criticalAfter?: { ms: number; why: string }) => ({ at: READ - elapsedMs, readAt: READ, policy: DEFAULT_POLICY, ...(criticalAfter ? { criticalAfter } : {}) });

describe('syncFinding', () => {
  test.each`
    elapsed              | severity
    ${3 * HOUR}          | ${undefined}
    ${24 * HOUR}         | ${undefined}
    ${24 * HOUR + 1}     | ${'warning'}
    ${72 * HOUR}         | ${'warning'}
    ${72 * HOUR + 1}     | ${'critical'}
    ${40 * 24 * HOUR}    | ${'critical'}
  `('when the last sync is $elapsed ms before the read, the finding is $severity', ({ elapsed, severity }) => {
    expect(syncFinding('The token', 'synced', age(elapsed))?.severity).toBe(severity);
  });

  test('when the sync never happened (0001-01-01 reads as null), there is no finding: an unset date is no evidence of a stall', () => {
    expect(syncFinding('The token', 'synced', { at: null, readAt: READ, policy: DEFAULT_POLICY })).toBeUndefined();
  });

  test('when it is stale, the message says for how long in hours under two days, then in days, with the date', () => {
    expect(syncFinding('The token', 'synced with Apple', age(30 * HOUR))?.message).toBe('The token has not synced with Apple for 30 hours (last 2026-11-22T02:00:00.000Z).');
    expect(syncFinding('The token', 'synced with Apple', age(100 * HOUR))?.message).toMatch(/for 4 days \(last 2026-11-19T04:00:00.000Z\)\.$/);
  });

  test("when the connector's own limit is tighter than the critical hours, it is critical from that limit and says why", () => {
    const finding = syncFinding('Defender', 'sent a heartbeat', age(48 * HOUR, { ms: 48 * HOUR, why: 'Devices may be marked non-compliant.' }));
    expect(finding).toMatchObject({ code: 'sync_stale', severity: 'critical' });
    expect(finding?.message).toMatch(/Devices may be marked non-compliant\.$/);
  });
});
