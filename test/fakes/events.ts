import type { AlertEvent } from '../../shared/domain/alertEvent';
import { buildAlertEvent } from '../../shared/domain/alertEvent';
import { assessTenant } from '../../shared/domain/assessTenant';
import { AppError } from '../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../shared/domain/policy';
import type { ApnsCertificate, VppToken } from '../../shared/domain/assets';
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
