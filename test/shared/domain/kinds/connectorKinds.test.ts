import type { ReadOutcome } from '../../../../shared/domain/assets';
import type { KindValues, TenantSnapshot } from '../../../../shared/domain/snapshot';
import { assessTenant } from '../../../../shared/domain/assessTenant';
import { AppError } from '../../../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../../../shared/domain/policy';
import { days, NOW, snapshot, TENANT, vppToken } from '../../../fakes/snapshots';

const HOUR = 3_600_000;
const ok = <T>(value: T): ReadOutcome<T> => ({ status: 'ok', value });
const withKinds = (parts: { [K in keyof KindValues]?: ReadOutcome<KindValues[K]> }, base: TenantSnapshot = snapshot()): TenantSnapshot => ({ ...base, ...parts }) as TenantSnapshot;
const assess = (s: TenantSnapshot, now = NOW) => assessTenant(s, now, DEFAULT_POLICY);
const ofKind = (kind: string, s: TenantSnapshot, now = NOW) => assess(s, now).filter((a) => a.kind === kind);

const ndes = (over: Partial<KindValues['certconnectors'][number]> = {}) => ({ id: 'ndes-1', displayName: null, machineName: 'PKI-01', state: 'active', lastConnectionDateTime: NOW - HOUR, connectorVersion: null, ...over });
const partner = (over: Partial<KindValues['partners'][number]> = {}) => ({ id: 'jamf-1', displayName: 'Jamf Pro', isConfigured: true, partnerState: 'enabled', lastHeartbeatDateTime: NOW - HOUR, nonCompliantAt: null, removedAt: null, ...over });
const verdict = (connectorName: string, status: string, connectorInstanceId: string | null = null) => ({ connectorName, connectorInstanceId, status, eventDateTime: NOW - HOUR });

describe('the connector kinds (SPEC §14)', () => {
  test('when a kind lists nothing (or Graph says 404), it is one "not in use" row: ok, never alerting', () => {
    const result = ofKind('certconnectors', withKinds({ certconnectors: ok([]) }));
    expect(result).toEqual([expect.objectContaining({ key: `${TENANT}:certconnectors:not-in-use`, severity: 'ok', inUse: false, findings: [] })]);
    expect(ofKind('exchange', withKinds({ exchange: { status: 'not_configured' } }))).toEqual([expect.objectContaining({ severity: 'ok', inUse: false })]);
  });

  test('when a certificate connector is in state "none" (no state yet), it is a warning, not a page', () => {
    const [c] = ofKind('certconnectors', withKinds({ certconnectors: ok([ndes({ state: 'none' })]) }));
    expect(c).toMatchObject({ severity: 'warning', findings: [{ code: 'connector_state' }] });
  });

  test('when an MTD connector is "unavailable", that connector is not in use; an enabled one beside it is assessed', () => {
    const result = ofKind('mtd', withKinds({ mtd: ok([{ id: 'other-partner', partnerState: 'unavailable', lastHeartbeatDateTime: null, partnerUnresponsivenessThresholdInDays: 7 }, { id: 'fc780465-2017-40d4-a0c5-307022471b92', partnerState: 'enabled', lastHeartbeatDateTime: NOW - 30 * HOUR, partnerUnresponsivenessThresholdInDays: 7 }]) }));
    expect(result.map((a) => [a.name, a.severity, a.inUse ?? true])).toEqual([
      ['MTD connector (Microsoft Defender for Endpoint)', 'warning', true],
      ['MTD connector (partner other-partner)', 'ok', false],
    ]);
  });

  test("when a partner's non-compliance date has passed, it is critical and says since when; the date is the asset's date that matters", () => {
    const [p] = ofKind('partners', withKinds({ partners: ok([partner({ nonCompliantAt: days(-2), removedAt: days(28) })]) }));
    expect(p).toMatchObject({ severity: 'critical', expiresAt: days(-2), daysRemaining: -2, findings: [{ code: 'partner_deadline' }] });
    expect(p?.findings[0]?.message).toMatch(/^Intune has marked every device managed by "Jamf Pro" as non-compliant since 2026-11-21T08:00:00\.000Z \(2 days ago\)\. Intune removes them on 2026-12-21/);
  });

  test('when a partner is not configured, it is not in use whatever its state', () => {
    expect(ofKind('partners', withKinds({ partners: ok([partner({ isConfigured: false, partnerState: 'unresponsive' })]) }))).toEqual([expect.objectContaining({ severity: 'ok', inUse: false })]);
  });

  test('when Managed Google Play is not bound, or Autopilot never synced, each is not in use', () => {
    const s = withKinds({
      googleplay: ok({ bindStatus: 'notBound', lastAppSyncStatus: 'none', lastAppSyncDateTime: null, ownerUserPrincipalName: null, ownerOrganizationName: null }),
      autopilot: ok({ lastSyncDateTime: null, syncStatus: 'unknown' }),
    });
    expect(assess(s).filter((a) => a.inUse === false).map((a) => a.kind).sort()).toEqual(['autopilot', 'googleplay']);
  });

  test("when Intune's verdict on a connector checked here agrees (or is milder), it adds no row; when it is worse, it is reported with both verdicts", () => {
    const vpp = ok([vppToken({ id: 'vpp-1', lastSyncDateTime: NOW - HOUR })]);
    expect(ofKind('connectorstatus', withKinds({ vpp, connectorstatus: ok([verdict('vppTokenLastSyncDateTime', 'healthy', 'vpp-1')]) }))).toEqual([]);
    const [worse] = ofKind('connectorstatus', withKinds({ vpp, connectorstatus: ok([verdict('vppTokenLastSyncDateTime', 'warning', 'vpp-1')]) }));
    expect(worse).toMatchObject({ key: `${TENANT}:connectorstatus:vppTokenLastSyncDateTime/vpp-1`, severity: 'warning' });
    expect(worse?.findings[0]?.message).toBe(`Intune's own connector status rates the VPP token sync "warning" (last 2026-11-23T07:00:00.000Z), worse than this monitor's own check (ok).`);
  });

  test('when the kind Intune rates is not read here (switched off, or its read failed), its verdict is reported on its own', () => {
    const skipped = withKinds({ connectorstatus: ok([verdict('jamfLastSyncDateTime', 'unhealthy')]) });
    expect(ofKind('connectorstatus', skipped)).toEqual([expect.objectContaining({ severity: 'critical', name: "Jamf connector (Intune's connector status)" })]);
    const failed = withKinds({ partners: { status: 'failed', error: new AppError('graph_unavailable', 'down') }, connectorstatus: ok([verdict('jamfLastSyncDateTime', 'warning')]) });
    expect(ofKind('connectorstatus', failed)).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  test('when Intune lists a connector this product does not model, it is a row of its own: ok when healthy, alerting on its verdict otherwise', () => {
    const s = withKinds({ connectorstatus: ok([verdict('chromebookLastDirectorySyncDateTime', 'healthy'), verdict('futureValue', 'unhealthy'), verdict('windowsStoreForBusinessLastSyncDateTime', 'unknown')]) });
    expect(ofKind('connectorstatus', s).map((a) => [a.assetId, a.severity])).toEqual([
      ['futureValue', 'critical'],
      ['chromebookLastDirectorySyncDateTime', 'ok'],
      ['windowsStoreForBusinessLastSyncDateTime', 'ok'],
    ]);
  });

  test('when a read needing DeviceManagementConfiguration.Read.All is refused, the monitor warns once naming it (not critical), and a base-permission 403 stays critical', () => {
    const denied = (what: string) => ({ status: 'failed' as const, error: new AppError('graph_permission_denied', `Microsoft Graph denied access to ${what} (403).`, { hint: 'Grant the permission.' }) });
    const gap = assess(withKinds({ certconnectors: denied('the certificate connectors'), googleplay: denied('Managed Google Play'), connectorstatus: denied('the connector status') }));
    const monitor = gap.find((a) => a.kind === 'monitor');
    expect(monitor).toMatchObject({ severity: 'warning', findings: [{ code: 'permission_missing', hint: 'Grant the permission.' }] });
    expect(monitor?.findings).toHaveLength(1);
    expect(monitor?.findings[0]?.message).toBe(
      "Microsoft Graph refused the certificate connectors, the Managed Google Play settings and Intune's connector status (403): the identity lacks the permission DeviceManagementConfiguration.Read.All. Everything else is still watched.",
    );
    const base = assess(withKinds({ mtd: denied('the MTD connectors') })).find((a) => a.kind === 'monitor');
    expect(base).toMatchObject({ severity: 'critical', findings: [{ code: 'read_failed' }] });
  });
});
