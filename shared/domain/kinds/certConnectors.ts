import type { EpochMs } from '../assets';
import type { Finding } from '../assessment';
import { itemWhat, optionalDate, optionalString, requiredString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER } from '../links';
import { CONNECTORS_AND_TOKENS, eachConnector } from './connectors';
import { assessFacts } from './assessFacts';
import { CONFIGURATION_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/**
 * An Intune Certificate Connector (the NDES/SCEP and PKCS connector) as read from beta.
 *
 * Facts (beta `ndesConnector`, microsoft-graph-docs-contrib intune-deviceconfig-ndesconnector;
 * absent from the v1.0 CSDL, so the read is beta-only): `id`, `lastConnectionDateTime`
 * (DateTimeOffset), `state` (`ndesConnectorState`: `none` = "state not available yet for this
 * connector", `active` = "connected recently", `inactive` = "no recent activity"), `displayName`,
 * `machineName`, `enrolledDateTime`, `roleScopeTagIds`, `connectorVersion`. Listing them needs
 * `DeviceManagementConfiguration.Read.All` (application), not the ServiceConfig permission.
 */
export interface NdesConnector {
  id: string;
  displayName: string | null;
  machineName: string | null;
  state: string;
  lastConnectionDateTime: EpochMs | null;
  connectorVersion: string | null;
}

const labelOf = (o: Json): unknown => o.machineName || o.displayName;

export function parseNdesConnector(obj: Json): NdesConnector {
  const what = itemWhat('certificate connector', obj);
  return {
    id: requiredString(obj, 'id', what),
    displayName: optionalString(obj, 'displayName', what),
    machineName: optionalString(obj, 'machineName', what),
    state: optionalString(obj, 'state', what) ?? 'none',
    lastConnectionDateTime: optionalDate(obj, 'lastConnectionDateTime', what),
    connectorVersion: optionalString(obj, 'connectorVersion', what),
  };
}

function assessConnector(c: NdesConnector, ctx: KindContext) {
  const label = c.machineName || c.displayName || c.id;
  const what = `The certificate connector "${label}"`;
  const findings: Finding[] = [];
  if (c.state === 'inactive') {
    findings.push({
      code: 'connector_state',
      severity: 'critical',
      message: `${what} is inactive: Intune has not heard from it recently, so no SCEP or PKCS certificate can be issued (Wi-Fi, VPN and e-mail profiles that need one fail on new devices).`,
    });
  } else if (c.state !== 'active') {
    // `none` is a connector Intune has no state for yet (just enrolled, or never connected): worth a look, not a page.
    findings.push({ code: 'connector_state', severity: 'warning', message: `${what} has no state in Intune yet ("${c.state}"): it has not reported since it was enrolled.` });
  }
  return assessFacts(ctx, {
    kind: 'certconnectors',
    assetId: c.id,
    name: `Certificate connector "${label}"`,
    findings,
    sync: { what, verb: 'connected to Intune', at: c.lastConnectionDateTime },
  });
}

/** `GET /beta/deviceManagement/ndesConnectors`: in use when the list is not empty (SPEC §14). */
export const certConnectorsKind: CollectionKind<'certconnectors', NdesConnector> = {
  kind: 'certconnectors',
  shape: 'collection',
  short: 'NDES',
  label: 'Certificate connector',
  resource: 'the certificate connectors',
  group: 'connectors',
  read: { version: 'beta', path: '/deviceManagement/ndesConnectors', permission: CONFIGURATION_READ_PERMISSION },
  item: { label: 'certificate connector', where: `${CONNECTORS_AND_TOKENS} > Certificate connectors` },
  parseItem: parseNdesConnector,
  labelOf,
  ...eachConnector('certconnectors', 'Certificate connectors (SCEP/PKCS)', assessConnector),
  nextSteps: (asset) => [
    `On the server ${/^Certificate connector "(.*)"$/.exec(asset.name)?.[1] ?? 'that runs it'}, check that the Intune Certificate Connector service is running and can reach Intune (proxy, firewall, the service account's certificate); restart it if needed.`,
    `Check its status in the Intune admin center: ${CONNECTORS_AND_TOKENS} > Certificate connectors. A connector that stays inactive must be reinstalled or its registration renewed.`,
  ],
  links: () => [INTUNE_ADMIN_CENTER],
};
