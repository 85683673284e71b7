import type { EpochMs } from '../assets';
import type { AlertAsset, Finding } from '../assessment';
import { daysRemaining, describeExpiry } from '../assessExpiry';
import { formatUtc } from '../graphDateTime';
import { itemWhat, optionalBoolean, optionalDate, optionalString, requiredString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER } from '../links';
import { CONNECTORS_AND_TOKENS, eachConnector, notInUse } from './connectors';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/**
 * A device management partner (Jamf Pro and other compliance partners) as read from v1.0.
 *
 * Facts (v1.0 CSDL `deviceManagementPartner`): `displayName`, `isConfigured` (non-nullable
 * Boolean), `lastHeartbeatDateTime`, `partnerState` (`deviceManagementPartnerTenantState`:
 * unknown = 0, unavailable = 1, enabled = 2, terminated = 3, rejected = 4, unresponsive = 5),
 * `partnerAppType`, `singleTenantAppId`, `groupsRequiringPartnerEnrollment`, and two nullable
 * DateTimeOffsets: `whenPartnerDevicesWillBeMarkedAsNonCompliantDateTime` and
 * `whenPartnerDevicesWillBeRemovedDateTime`.
 */
export interface DeviceManagementPartner {
  id: string;
  displayName: string | null;
  isConfigured: boolean;
  partnerState: string;
  lastHeartbeatDateTime: EpochMs | null;
  nonCompliantAt: EpochMs | null;
  removedAt: EpochMs | null;
}

/** States in which the partner no longer reports to Intune (SPEC §14). */
const BROKEN_STATES = new Set(['unresponsive', 'terminated', 'rejected']);

export function parsePartner(obj: Json): DeviceManagementPartner {
  const what = itemWhat('device management partner', obj);
  return {
    id: requiredString(obj, 'id', what),
    displayName: optionalString(obj, 'displayName', what),
    isConfigured: optionalBoolean(obj, 'isConfigured', what) ?? false,
    partnerState: optionalString(obj, 'partnerState', what) ?? 'unknown',
    lastHeartbeatDateTime: optionalDate(obj, 'lastHeartbeatDateTime', what),
    nonCompliantAt: optionalDate(obj, 'whenPartnerDevicesWillBeMarkedAsNonCompliantDateTime', what),
    removedAt: optionalDate(obj, 'whenPartnerDevicesWillBeRemovedDateTime', what),
  };
}

function assessPartner(p: DeviceManagementPartner, ctx: KindContext) {
  const label = p.displayName || p.id;
  const name = `Device management partner "${label}"`;
  if (!p.isConfigured) return notInUse(ctx, 'partners', p.id, name);
  const findings: Finding[] = [];
  if (BROKEN_STATES.has(p.partnerState)) {
    findings.push({ code: 'connector_state', severity: 'critical', message: `The partner "${label}" is ${p.partnerState}: its devices' compliance no longer reaches Intune.` });
  }
  const at = p.nonCompliantAt;
  if (at !== null) {
    // The date counts down like an expiry: critical within APNS_CRITICAL_DAYS, and once it has passed.
    const days = daysRemaining(at, ctx.now);
    const passed = at <= ctx.now;
    const removal = p.removedAt === null ? '' : ` Intune removes them on ${formatUtc(p.removedAt)}.`;
    findings.push({
      code: 'partner_deadline',
      severity: passed || days <= ctx.policy.criticalDays ? 'critical' : 'warning',
      message: passed
        ? `Intune has marked every device managed by "${label}" as non-compliant since ${formatUtc(at)} (${describeExpiry(at, ctx.now)}).${removal}`
        : `Intune will mark every device managed by "${label}" as non-compliant on ${formatUtc(at)} (${describeExpiry(at, ctx.now)}).${removal}`,
    });
  }
  return assessFacts(ctx, {
    kind: 'partners',
    assetId: p.id,
    name,
    findings,
    expiresAt: at,
    ...(at === null ? {} : { daysRemaining: daysRemaining(at, ctx.now) }),
    lastSyncAt: p.lastHeartbeatDateTime,
  });
}

function nextSteps(asset: AlertAsset): string[] {
  const partner = /"(.+)"$/.exec(asset.name)?.[1] ?? 'the partner';
  return [
    `In ${partner}'s console (for Jamf Pro: its Microsoft Intune / device compliance integration settings), check the connection to Intune and that it still reports device inventory.`,
    `Then check the partner in the Intune admin center: ${CONNECTORS_AND_TOKENS} > Partner device management (its state and last heartbeat). Until it reports again, Intune counts down to marking its devices non-compliant.`,
  ];
}

/** `GET /v1.0/deviceManagement/deviceManagementPartners`: in use when `isConfigured` (SPEC §14). */
export const partnersKind: CollectionKind<'partners', DeviceManagementPartner> = {
  kind: 'partners',
  shape: 'collection',
  short: 'Partner',
  label: 'Device management partner',
  resource: 'the device management partners',
  group: 'connectors',
  read: { version: 'v1.0', path: '/deviceManagement/deviceManagementPartners', permission: BASE_READ_PERMISSION },
  date: { title: 'Devices non-compliant from' },
  item: { label: 'device management partner', where: `${CONNECTORS_AND_TOKENS} > Partner device management` },
  parseItem: parsePartner,
  labelOf: (o) => o.displayName,
  ...eachConnector('partners', 'Device management partners (Jamf Pro and others)', assessPartner),
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER],
};
