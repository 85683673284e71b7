import type { EpochMs, MonitoredKind } from '../assets';
import type { AlertAsset, Assessment, Finding } from '../assessment';
import { formatUtc } from '../graphDateTime';
import { optionalDate, optionalString, requiredString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER } from '../links';
import { isWorse, worstOf, type Severity } from '../severity';
import { assessFacts } from './assessFacts';
import { CONFIGURATION_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/**
 * Intune's own verdict on one connector: an item of beta `deviceManagement.connectorStatus`.
 *
 * Facts (beta `connectorStatusDetails`, microsoft-graph-docs-contrib intune-troubleshooting-*;
 * `deviceManagement` in the v1.0 CSDL has no `connectorStatus`): `connectorName` (`connectorName`:
 * applePushNotificationServiceExpirationDateTime, vppTokenExpirationDateTime,
 * vppTokenLastSyncDateTime, windowsAutopilotLastSyncDateTime,
 * windowsStoreForBusinessLastSyncDateTime, jamfLastSyncDateTime,
 * ndesConnectorLastConnectionDateTime, appleDepExpirationDateTime, appleDepLastSyncDateTime,
 * onPremConnectorLastSyncDateTime, googlePlayAppLastSyncDateTime,
 * googlePlayConnectorLastModifiedDateTime, windowsDefenderATPConnectorLastHeartbeatDateTime,
 * mobileThreatDefenceConnectorLastHeartbeatDateTime, chromebookLastDirectorySyncDateTime,
 * futureValue), `connectorInstanceId`, `status` (`connectorHealthState`: healthy, warning,
 * unhealthy, unknown) and `eventDateTime`. It has no id of its own. `GET /deviceManagement` needs
 * `DeviceManagementConfiguration.Read.All`.
 */
export interface ConnectorVerdict {
  connectorName: string;
  connectorInstanceId: string | null;
  status: string;
  eventDateTime: EpochMs | null;
}

interface Connector {
  name: string;
  /** The kind of this product that checks the same connector, if any. */
  kind?: MonitoredKind;
  /** Whether `eventDateTime` is an expiry (ahead) or the last sync (behind). */
  date: 'expiry' | 'sync';
}

/** Each of Intune's connector names, as people call it, and the kind that checks it here (if any). */
const CONNECTORS: Record<string, Connector> = {
  applePushNotificationServiceExpirationDateTime: { name: 'Apple MDM push certificate', kind: 'apns', date: 'expiry' },
  vppTokenExpirationDateTime: { name: 'VPP token expiry', kind: 'vpp', date: 'expiry' },
  vppTokenLastSyncDateTime: { name: 'VPP token sync', kind: 'vpp', date: 'sync' },
  appleDepExpirationDateTime: { name: 'ADE token expiry', kind: 'ade', date: 'expiry' },
  appleDepLastSyncDateTime: { name: 'ADE token sync', kind: 'ade', date: 'sync' },
  ndesConnectorLastConnectionDateTime: { name: 'Certificate connector', kind: 'certconnectors', date: 'sync' },
  windowsDefenderATPConnectorLastHeartbeatDateTime: { name: 'Microsoft Defender for Endpoint connector', kind: 'mtd', date: 'sync' },
  mobileThreatDefenceConnectorLastHeartbeatDateTime: { name: 'Mobile Threat Defense connector', kind: 'mtd', date: 'sync' },
  googlePlayAppLastSyncDateTime: { name: 'Managed Google Play app sync', kind: 'googleplay', date: 'sync' },
  googlePlayConnectorLastModifiedDateTime: { name: 'Managed Google Play connector', kind: 'googleplay', date: 'sync' },
  jamfLastSyncDateTime: { name: 'Jamf connector', kind: 'partners', date: 'sync' },
  windowsAutopilotLastSyncDateTime: { name: 'Windows Autopilot sync', kind: 'autopilot', date: 'sync' },
  onPremConnectorLastSyncDateTime: { name: 'Exchange connector', kind: 'exchange', date: 'sync' },
  // Not modelled here: Intune's verdict is the only one.
  chromebookLastDirectorySyncDateTime: { name: 'Chromebook directory sync', date: 'sync' },
  windowsStoreForBusinessLastSyncDateTime: { name: 'Microsoft Store for Business sync', date: 'sync' },
};

const VERDICT: Record<string, Severity> = { healthy: 'ok', warning: 'warning', unhealthy: 'critical' };

const idOf = (o: Json): string | undefined => {
  const name = typeof o.connectorName === 'string' && o.connectorName.trim() !== '' ? o.connectorName : undefined;
  const instance = typeof o.connectorInstanceId === 'string' && o.connectorInstanceId.trim() !== '' ? o.connectorInstanceId : undefined;
  return name === undefined ? undefined : instance === undefined ? name : `${name}/${instance}`;
};

export function parseConnectorVerdict(obj: Json): ConnectorVerdict {
  const what = `Intune's connector status${typeof obj.connectorName === 'string' ? ` for ${obj.connectorName}` : ''}`;
  return {
    connectorName: requiredString(obj, 'connectorName', what),
    connectorInstanceId: optionalString(obj, 'connectorInstanceId', what),
    status: optionalString(obj, 'status', what) ?? 'unknown',
    eventDateTime: optionalDate(obj, 'eventDateTime', what),
  };
}

/** This product's own verdict on the same connector: the matching asset, else the worst of its kind. */
function ownVerdict(kind: MonitoredKind, instanceId: string | null, ctx: KindContext): Severity {
  const same = ctx.assessed.filter((a) => a.kind === kind);
  const exact = instanceId === null ? undefined : same.find((a) => a.assetId.toLowerCase() === instanceId.toLowerCase());
  return exact ? exact.severity : worstOf(same.map((a) => a.severity));
}

function assessVerdict(v: ConnectorVerdict, ctx: KindContext): Assessment | undefined {
  const connector = CONNECTORS[v.connectorName] ?? { name: v.connectorName, date: 'sync' };
  const severity = VERDICT[v.status] ?? 'ok';
  const checkedHere = connector.kind !== undefined && ctx.read.has(connector.kind);
  const own = checkedHere && connector.kind ? ownVerdict(connector.kind, v.connectorInstanceId, ctx) : undefined;
  // Where this product checks the same connector, Intune's verdict only adds something when it is worse.
  if (own !== undefined && !isWorse(severity, own)) return undefined;
  const when = v.eventDateTime === null ? '' : connector.date === 'expiry' ? ` (expiry ${formatUtc(v.eventDateTime)})` : ` (last ${formatUtc(v.eventDateTime)})`;
  const findings: Finding[] = [];
  if (severity !== 'ok') {
    const beyond = own === undefined ? '' : `, worse than this monitor's own check (${own})`;
    findings.push({ code: 'intune_verdict', severity, message: `Intune's own connector status rates the ${connector.name} "${v.status}"${when}${beyond}.` });
  }
  const assetId = idOf({ connectorName: v.connectorName, connectorInstanceId: v.connectorInstanceId }) ?? v.connectorName;
  return assessFacts(ctx, {
    kind: 'connectorstatus',
    assetId,
    name: `${connector.name} (Intune's connector status)`,
    findings,
    lastSyncAt: connector.date === 'sync' ? v.eventDateTime : null,
  });
}

function nextSteps(asset: AlertAsset): string[] {
  const name = asset.name.replace(/ \(Intune's connector status\)$/, '');
  return [
    `Open the Intune admin center: Tenant administration > Tenant status > Connector status. It shows what Intune sees for the ${name} and links to the page where it is fixed.`,
    `Repair the ${name} there (its connector, token or sync); this alert resolves by itself when Intune rates it healthy again.`,
  ];
}

/**
 * `GET /beta/deviceManagement?$select=connectorStatus`: Intune's own verdict per connector, always
 * read (SPEC §14). A connector this product does not model (Chromebook directory sync, Store for
 * Business) alerts on Intune's verdict; one it models only when Intune's verdict is worse.
 */
export const connectorStatusKind: CollectionKind<'connectorstatus', ConnectorVerdict> = {
  kind: 'connectorstatus',
  shape: 'collection',
  property: 'connectorStatus',
  short: 'Intune status',
  label: "Intune's connector status",
  resource: "Intune's connector status",
  group: 'connectors',
  read: { version: 'beta', path: '/deviceManagement?$select=connectorStatus', permission: CONFIGURATION_READ_PERMISSION },
  // A verdict that no longer disagrees is simply not listed: its alert resolves as recovered.
  vanished: 'recovered',
  item: { label: 'connector status', where: 'Tenant administration > Tenant status > Connector status' },
  parseItem: parseConnectorVerdict,
  labelOf: (o) => o.connectorName,
  idOf,
  assess: (verdicts, ctx) => verdicts.flatMap((v) => assessVerdict(v, ctx) ?? []),
  absent: () => [],
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER],
};
