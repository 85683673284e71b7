import type { AlertEvent } from '../../shared/domain/alertEvent';
import { buildAlertEvent } from '../../shared/domain/alertEvent';
import { assessTenant } from '../../shared/domain/assessTenant';
import { AppError } from '../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../shared/domain/policy';
import type { MessageContext } from '../../shared/adapters/notifiers/messageContext';
import { apnsCert, days, NOW, snapshot, TENANT } from './snapshots';

export const CTX: MessageContext = { tenantId: TENANT, tenantName: 'Contoso' };

/** A real event built by the domain, for the APNs certificate at `d` days. */
export function apnsEvent(d: number, type: 'alert' | 'reminder' | 'resolved' = 'alert', id = 'evt-1'): AlertEvent {
  const s = snapshot({ apns: apnsCert({ expirationDateTime: days(d) }) });
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'apns');
  if (!assessment) throw new Error('no apns assessment');
  return buildAlertEvent({ id, type, assessment, tenantName: CTX.tenantName, now: NOW, ...(type === 'resolved' ? { resolution: 'renewed' as const, previousSeverity: 'critical' as const } : {}) });
}

export function monitorEvent(id = 'evt-m'): AlertEvent {
  const error = new AppError('graph_permission_denied', 'Microsoft Graph denied access (403).', { hint: 'Grant DeviceManagementServiceConfig.Read.All.' });
  const s = snapshot({ apns: { status: 'failed', error } });
  const assessment = assessTenant(s, NOW, DEFAULT_POLICY).find((a) => a.kind === 'monitor');
  if (!assessment) throw new Error('no monitor assessment');
  return buildAlertEvent({ id, type: 'alert', assessment, tenantName: CTX.tenantName, now: NOW });
}
