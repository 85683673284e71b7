import type { AlertEvent } from '../../shared/domain/alertEvent';
import { buildAlertEvent } from '../../shared/domain/alertEvent';
import { assessTenant } from '../../shared/domain/assessTenant';
import { AppError } from '../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../shared/domain/policy';
import type { ApnsCertificate, VppToken } from '../../shared/domain/snapshot';
import { apnsCert, days, NOW, snapshot, vppToken } from './snapshots';

/** How people know the test tenant (its id is `TENANT` in ./snapshots): every event carries both. */
export const TENANT_NAME = 'Contoso';

/** A real event built by the domain, for the APNs certificate at `d` days (Graph fields overridable). */
export function apnsEvent(d: number, type: 'alert' | 'reminder' | 'resolved' = 'alert', id = 'evt-1', graph: Partial<ApnsCertificate> = {}): AlertEvent {
  const s = snapshot({ apns: apnsCert({ expirationDateTime: days(d), ...graph }) });
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'apns');
  if (!assessment) throw new Error('no apns assessment');
  return buildAlertEvent({ id, type, assessment, tenantName: TENANT_NAME, now: NOW, ...(type === 'resolved' ? { resolution: 'renewed' as const, previousSeverity: 'critical' as const } : {}) });
}

export function monitorEvent(id = 'evt-m'): AlertEvent {
  const error = new AppError('graph_permission_denied', 'Microsoft Graph denied access (403).', { hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
  const s = snapshot({ apns: { status: 'failed', error } });
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'monitor');
  if (!assessment) throw new Error('no monitor assessment');
  return buildAlertEvent({ id, type: 'alert', assessment, tenantName: TENANT_NAME, now: NOW });
}

/** A real event built by the domain for one VPP token at `d` days, from the Graph fields given. */
export function vppEvent(graph: Partial<VppToken>, d = 5, id = 'evt-v'): AlertEvent {
  const s = snapshot({ vpp: [vppToken({ expirationDateTime: days(d), ...graph })] });
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'vpp');
  if (!assessment) throw new Error('no vpp assessment');
  return buildAlertEvent({ id, type: 'alert', assessment, tenantName: TENANT_NAME, now: NOW });
}

/** A real event built by the domain for a connector: Defender's MTD connector unresponsive, last heard from 5 hours before the read. */
export function connectorEvent(id = 'evt-c'): AlertEvent {
  const s = { ...snapshot(), mtd: { status: 'ok' as const, value: [{ id: 'fc780465-2017-40d4-a0c5-307022471b92', partnerState: 'unresponsive', lastHeartbeatDateTime: NOW - 5 * 3_600_000, partnerUnresponsivenessThresholdInDays: 7 }] } };
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'mtd');
  if (!assessment) throw new Error('no mtd assessment');
  return buildAlertEvent({ id, type: 'alert', assessment, tenantName: TENANT_NAME, now: NOW });
}

/** A partner whose devices were marked non-compliant `-d` days ago (or will be in `d` days). */
export function partnerEvent(d: number, id = 'evt-p'): AlertEvent {
  const partner = { id: 'jamf-1', displayName: 'Jamf Pro', isConfigured: true, partnerState: 'enabled', lastHeartbeatDateTime: NOW - 3_600_000, nonCompliantAt: days(d), removedAt: null };
  const s = { ...snapshot(), partners: { status: 'ok' as const, value: [partner] } };
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'partners');
  if (!assessment) throw new Error('no partners assessment');
  return buildAlertEvent({ id, type: 'alert', assessment, tenantName: TENANT_NAME, now: NOW });
}
