import { buildAlertEvent } from '../../../../shared/domain/alertEvent';
import { assessTenant } from '../../../../shared/domain/assessTenant';
import { DEFAULT_POLICY } from '../../../../shared/domain/policy';
import { adeToken, days, NOW, snapshot, vppToken } from '../../../fakes/snapshots';

const HOUR = 3_600_000;
const only = (kind: string, s: ReturnType<typeof snapshot>, now = NOW) => {
  const found = assessTenant(s, now, DEFAULT_POLICY).find((a) => a.kind === kind);
  if (!found) throw new Error(`no ${kind} assessment`);
  return found;
};
const stepsOf = (a: ReturnType<typeof only>) => buildAlertEvent({ id: 'e', type: 'alert', assessment: a, tenantName: 'Contoso', now: NOW }).nextSteps;

describe('Apple sync health of the VPP and ADE tokens (SPEC §14)', () => {
  test('when a VPP token last synced 30 hours before the read, it is a warning that says so, and the next step is a sync, not a renewal', () => {
    const vpp = only('vpp', snapshot({ vpp: [vppToken({ lastSyncDateTime: NOW - 30 * HOUR })] }));
    expect(vpp).toMatchObject({ severity: 'warning', lastSyncAt: NOW - 30 * HOUR, findings: [{ code: 'sync_stale' }] });
    expect(vpp.findings[0]?.message).toBe('The VPP token "Contoso" has not synced with Apple for 30 hours (last 2026-11-22T02:00:00.000Z).');
    expect(stepsOf(vpp)[0]).toMatch(/^Sync the token in the Intune admin center: Tenant administration > Connectors and tokens > Apple VPP tokens/);
  });

  test('when a VPP token last synced four days before the read, it is critical', () => {
    expect(only('vpp', snapshot({ vpp: [vppToken({ lastSyncDateTime: NOW - 96 * HOUR })] })).severity).toBe('critical');
  });

  test('when a forecast (--now) looks months ahead, the sync age still counts from the read: a fresh sync is not called stale', () => {
    const vpp = only('vpp', snapshot({ vpp: [vppToken({ lastSyncDateTime: NOW - HOUR })] }), days(100));
    expect(vpp.findings.map((f) => f.code)).not.toContain('sync_stale');
  });

  test('when an ADE token reports sync error 3, it is a warning naming the code and the Apple Business Manager terms, and the first step is to accept them', () => {
    const ade = only('ade', snapshot({ ade: [adeToken({ lastSyncErrorCode: 3, lastSuccessfulSyncDateTime: NOW - HOUR })] }));
    expect(ade).toMatchObject({ severity: 'warning', findings: [{ code: 'sync_error' }] });
    expect(ade.findings[0]?.message).toContain('reports sync error code 3 (often: new Apple Business Manager terms to accept — sign in to business.apple.com and accept them)');
    expect(stepsOf(ade)[0]).toMatch(/^Sign in to Apple Business Manager \(business\.apple\.com\) as ade@contoso\.com and accept any new terms/);
  });

  test('when an ADE token reports another sync error code, the warning names that code without guessing its meaning', () => {
    const ade = only('ade', snapshot({ ade: [adeToken({ lastSyncErrorCode: 7 })] }));
    expect(ade.findings[0]?.message).toMatch(/reports sync error code 7: no new devices/);
    expect(ade.findings[0]?.message).not.toContain('often');
  });

  test('when an ADE token last synced successfully 80 hours before the read, it is critical', () => {
    expect(only('ade', snapshot({ ade: [adeToken({ lastSuccessfulSyncDateTime: NOW - 80 * HOUR })] })).severity).toBe('critical');
  });

  test('when an ADE token both expires in 5 days and has a sync error, the steps hold the terms first and the renewal after', () => {
    const ade = only('ade', snapshot({ ade: [adeToken({ tokenExpirationDateTime: days(5), lastSyncErrorCode: 3 })] }));
    expect(ade.severity).toBe('critical');
    const steps = stepsOf(ade);
    expect(steps[0]).toMatch(/accept any new terms/);
    expect(steps.some((s) => s.startsWith('Download a new server token'))).toBe(true);
  });
});
