import { assessTenant } from '../../../shared/domain/assessTenant';
import { uniformSnapshot } from '../../../shared/domain/snapshot';
import { AppError } from '../../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';
import { adeToken, apnsCert, days, NOW, snapshot, TENANT, TOPIC, vppToken } from '../../fakes/snapshots';

const assess = (s = snapshot(), now = NOW) => assessTenant(s, now, DEFAULT_POLICY);
const byKind = (kind: string, s = snapshot(), now = NOW) => assess(s, now).filter((a) => a.kind === kind);

describe('assessTenant', () => {
  test('when one VPP token is unreadable, it is a warning on its own key and the token beside it still alerts critical', () => {
    const broken = { id: 'broken-1', label: 'Fabrikam', error: new AppError('graph_malformed_response', "Graph's answer for the VPP token broken-1 could not be read: expirationDateTime is missing.") };
    const result = assess(snapshot({ vpp: { status: 'ok', value: [vppToken({ id: 'soon-1', expirationDateTime: days(2) })], unreadable: [broken] } }));
    const vpp = result.filter((a) => a.kind === 'vpp');
    expect(vpp.map((a) => [a.assetId, a.severity, a.findings[0]?.code])).toEqual([
      ['soon-1', 'critical', 'expiry'],
      ['broken-1', 'warning', 'unreadable'],
    ]);
    expect(vpp[1]?.name).toBe('VPP token "Fabrikam"');
    expect(vpp[1]?.key).toBe(`${TENANT}:vpp:broken-1`);
    expect(result.find((a) => a.kind === 'monitor')?.severity).toBe('ok');
  });

  test('when an unreadable token has no id at all, the monitor reports it as a warning instead', () => {
    const anonymous = { id: undefined, label: undefined, error: new AppError('graph_malformed_response', 'id is missing.') };
    const result = assess(snapshot({ ade: { status: 'ok', value: [adeToken()], unreadable: [anonymous] } }));
    expect(result.find((a) => a.kind === 'monitor')).toMatchObject({ severity: 'warning', findings: [{ code: 'read_failed' }] });
    expect(result.find((a) => a.kind === 'ade')?.severity).toBe('ok');
  });

  test('when a VPP token has an organization name, it is named by it (v1.0 has no displayName); else by its Apple ID', () => {
    expect(byKind('vpp', snapshot({ vpp: [vppToken({ organizationName: 'Contoso Ltd' })] }))[0]?.name).toBe('VPP token "Contoso Ltd"');
    expect(byKind('vpp', snapshot({ vpp: [vppToken({ organizationName: '' })] }))[0]?.name).toBe('VPP token "vpp@contoso.com"');
  });

  test('when everything is far from expiry, every asset and the monitor are ok', () => {
    const result = assess(snapshot({ vpp: [vppToken()], ade: [adeToken()] }));
    expect(result.map((a) => [a.kind, a.severity])).toEqual(
      expect.arrayContaining([['apns', 'ok'], ['vpp', 'ok'], ['ade', 'ok'], ['monitor', 'ok']]),
    );
    expect(result).toHaveLength(4);
  });

  test('when the APNs certificate expires in 25 days, its key is stable on the topic and it is a warning', () => {
    const [apns] = byKind('apns', snapshot({ apns: apnsCert({ expirationDateTime: days(25) }) }));
    expect(apns).toMatchObject({ key: `${TENANT}:apns:${TOPIC}`, severity: 'warning', daysRemaining: 25, appleId: 'mdm-admin@contoso.com' });
    expect(apns?.findings[0]?.message).toContain('expires in 25 days');
  });

  test('when the APNs certificate expired 10 days ago, it is expired and still renewable for 20 more days', () => {
    const [apns] = byKind('apns', snapshot({ apns: apnsCert({ expirationDateTime: days(-10) }) }));
    expect(apns?.severity).toBe('expired');
    expect(apns?.findings[0]?.message).toMatch(/can still be renewed until 2026-12-13/);
  });

  test('when the APNs certificate expired 31 days ago, it is still expired and says a new certificate is the only way', () => {
    const [apns] = byKind('apns', snapshot({ apns: apnsCert({ expirationDateTime: days(-31) }) }));
    expect(apns?.severity).toBe('expired');
    expect(apns?.findings[0]?.message).toMatch(/grace period is over: a new certificate is the only way/);
  });

  test('when the tenant has no APNs certificate, it is a warning "not configured", never ok', () => {
    const [apns] = byKind('apns', snapshot({ apns: { status: 'not_configured' } }));
    expect(apns).toMatchObject({ key: `${TENANT}:apns:not-configured`, severity: 'warning' });
    expect(apns?.findings[0]?.code).toBe('not_configured');
  });

  test('when the last upload failed, the APNs certificate is at least a warning with the reason', () => {
    const [apns] = byKind('apns', snapshot({ apns: apnsCert({ certificateUploadStatus: 'Failed', certificateUploadFailureReason: 'Invalid certificate' }) }));
    expect(apns?.severity).toBe('warning');
    expect(apns?.findings.map((f) => f.code)).toEqual(['upload_failed']);
    expect(apns?.findings[0]?.message).toContain('Invalid certificate');
  });

  test.each`
    state                      | severity
    ${'invalid'}               | ${'critical'}
    ${'assignedToExternalMDM'} | ${'critical'}
    ${'expired'}               | ${'expired'}
    ${'unknown'}               | ${'warning'}
    ${'somethingNew'}          | ${'warning'}
  `('when a VPP token is in state $state, it is $severity', ({ state, severity }) => {
    const [vpp] = byKind('vpp', snapshot({ vpp: [vppToken({ state })] }));
    expect(vpp?.severity).toBe(severity);
    expect(vpp?.findings[0]?.code).toBe('vpp_state');
  });

  test('when a VPP token failed its last sync, it is a warning', () => {
    const [vpp] = byKind('vpp', snapshot({ vpp: [vppToken({ lastSyncStatus: 'failed' })] }));
    expect(vpp?.severity).toBe('warning');
    expect(vpp?.findings[0]?.code).toBe('vpp_sync_failed');
  });

  test('when an ADE token expires in 5 days, it is critical under its own key', () => {
    const [ade] = byKind('ade', snapshot({ ade: [adeToken({ tokenExpirationDateTime: days(5) })] }));
    expect(ade).toMatchObject({ key: `${TENANT}:ade:22222222-aaaa-bbbb-cccc-000000000001`, severity: 'critical' });
  });

  test('when a read failed, the monitor is critical with the reason and the hint, and the other reads still count', () => {
    const error = new AppError('graph_permission_denied', 'Graph answered 403.', { hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
    const result = assess(snapshot({ vpp: { status: 'failed', error }, apns: apnsCert({ expirationDateTime: days(5) }) }));
    const monitor = result.find((a) => a.kind === 'monitor');
    expect(monitor).toMatchObject({ key: `${TENANT}:monitor:monitor`, severity: 'critical' });
    expect(monitor?.findings[0]).toMatchObject({ code: 'read_failed', hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
    expect(monitor?.findings[0]?.message).toContain('VPP tokens');
    expect(result.find((a) => a.kind === 'apns')?.severity).toBe('critical');
  });

  test('when every read of every kind fails the same way (a sign-in), the monitor says it once, of Intune as a whole', () => {
    const error = new AppError('graph_consent_missing', 'Admin consent is missing.');
    const monitor = assess(uniformSnapshot(TENANT, NOW, () => ({ status: 'failed', error }))).find((a) => a.kind === 'monitor');
    expect(monitor?.findings.map((f) => f.message)).toEqual(['Could not read anything (all 10 reads) from Intune: Admin consent is missing.']);
  });

  test('when assets are returned, the worst comes first', () => {
    const result = assess(snapshot({ apns: apnsCert({ expirationDateTime: days(40) }), vpp: [vppToken({ expirationDateTime: days(3) })] }));
    expect(result.map((a) => a.severity)).toEqual(['critical', 'notice', 'ok']);
  });

  test('when a kind is skipped by configuration, it yields no assessment and no monitor failure', () => {
    const result = assess(snapshot({ vpp: { status: 'skipped' }, ade: { status: 'skipped' } }));
    expect(result.map((a) => a.kind).sort()).toEqual(['apns', 'monitor']);
  });
});
