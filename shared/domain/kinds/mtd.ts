import type { EpochMs } from '../assets';
import type { AlertAsset, Finding } from '../assessment';
import { MS_PER_DAY } from '../assessExpiry';
import { itemWhat, optionalDate, optionalNumber, optionalString, requiredString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER, type AlertLink } from '../links';
import { CONNECTORS_AND_TOKENS, eachConnector, notInUse } from './connectors';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/**
 * A MTD connector (Microsoft Defender for Endpoint or a partner) as read from v1.0.
 *
 * Facts (v1.0 CSDL `mobileThreatDefenseConnector`, 15 properties besides `id`): `lastHeartbeatDateTime`
 * (non-nullable DateTimeOffset), `partnerState` (`mobileThreatPartnerTenantState`: unavailable = 0,
 * available = 1, enabled = 2, unresponsive = 3, unknownFutureValue = 6), and
 * `partnerUnresponsivenessThresholdInDays` (Int32), the tenant's tolerance before the partner's
 * devices are treated as missing data. No name property: the `id` is the partner's, and
 * `fc780465-2017-40d4-a0c5-307022471b92` is Microsoft Defender for Endpoint. Beta-only properties
 * (`macEnabled`, `macDeviceBlockedOnMissingPartnerData`, …) are not read.
 */
export interface MtdConnector {
  id: string;
  partnerState: string;
  lastHeartbeatDateTime: EpochMs | null;
  partnerUnresponsivenessThresholdInDays: number | null;
}

export const DEFENDER_FOR_ENDPOINT_ID = 'fc780465-2017-40d4-a0c5-307022471b92';
const DEFENDER_PORTAL: AlertLink = Object.freeze({ title: 'Microsoft Defender portal', url: 'https://security.microsoft.com/' });

function partnerName(id: string): string {
  return id.toLowerCase() === DEFENDER_FOR_ENDPOINT_ID ? 'Microsoft Defender for Endpoint' : `partner ${id}`;
}

export function parseMtdConnector(obj: Json): MtdConnector {
  const what = itemWhat('Mobile Threat Defense connector', obj);
  return {
    id: requiredString(obj, 'id', what),
    partnerState: optionalString(obj, 'partnerState', what) ?? 'unavailable',
    lastHeartbeatDateTime: optionalDate(obj, 'lastHeartbeatDateTime', what),
    partnerUnresponsivenessThresholdInDays: optionalNumber(obj, 'partnerUnresponsivenessThresholdInDays', what),
  };
}

function assessConnector(c: MtdConnector, ctx: KindContext) {
  const name = `MTD connector (${partnerName(c.id)})`;
  if (c.partnerState === 'unavailable') return notInUse(ctx, 'mtd', c.id, name);
  const what = `The Mobile Threat Defense connector to ${partnerName(c.id)}`;
  const findings: Finding[] = [];
  if (c.partnerState === 'unresponsive') {
    findings.push({
      code: 'connector_state',
      severity: 'critical',
      message: `${what} is unresponsive: Intune no longer receives its device risk, so compliance policies that require it can mark devices non-compliant.`,
    });
  }
  const days = c.partnerUnresponsivenessThresholdInDays;
  const criticalAfter =
    days !== null && days > 0
      ? { ms: days * MS_PER_DAY, why: `That is the tenant's limit of ${days} day${days === 1 ? '' : 's'} (partnerUnresponsivenessThresholdInDays): devices that depend on it may be marked non-compliant.` }
      : undefined;
  return assessFacts(ctx, { kind: 'mtd', assetId: c.id, name, findings, sync: { what, verb: 'sent a heartbeat', at: c.lastHeartbeatDateTime, ...(criticalAfter ? { criticalAfter } : {}) } });
}

function nextSteps(asset: AlertAsset): string[] {
  const steps = [`Check the connector in the Intune admin center: ${CONNECTORS_AND_TOKENS} > Mobile Threat Defense (its status and last heartbeat).`];
  if (asset.assetId.toLowerCase() === DEFENDER_FOR_ENDPOINT_ID) {
    steps.push('In the Microsoft Defender portal, check that the Microsoft Intune connection is on (Settings > Endpoints > Advanced features), and turn it off and on again if the heartbeat does not come back.');
  } else {
    steps.push("Check the connection to Intune in the partner's own console; the partner's support can see why its heartbeat stopped.");
  }
  return steps;
}

/** `GET /v1.0/deviceManagement/mobileThreatDefenseConnectors`: in use when `partnerState ≠ unavailable` (SPEC §14). */
export const mtdKind: CollectionKind<'mtd', MtdConnector> = {
  kind: 'mtd',
  shape: 'collection',
  short: 'MTD',
  label: 'Mobile Threat Defense connector',
  resource: 'the Mobile Threat Defense connectors',
  group: 'connectors',
  read: { version: 'v1.0', path: '/deviceManagement/mobileThreatDefenseConnectors', permission: BASE_READ_PERMISSION },
  item: { label: 'Mobile Threat Defense connector', where: `${CONNECTORS_AND_TOKENS} > Mobile Threat Defense` },
  parseItem: parseMtdConnector,
  labelOf: (o) => (typeof o.id === 'string' ? partnerName(o.id) : undefined),
  ...eachConnector('mtd', 'Mobile Threat Defense (Defender for Endpoint and partners)', assessConnector),
  nextSteps,
  links: (asset) => (asset.assetId.toLowerCase() === DEFENDER_FOR_ENDPOINT_ID ? [INTUNE_ADMIN_CENTER, DEFENDER_PORTAL] : [INTUNE_ADMIN_CENTER]),
};
