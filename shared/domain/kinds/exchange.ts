import type { EpochMs } from '../assets';
import type { Finding } from '../assessment';
import { itemWhat, optionalDate, optionalString, requiredString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER } from '../links';
import { CONNECTORS_AND_TOKENS, eachConnector } from './connectors';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type CollectionKind, type KindContext } from './kindSpec';

/**
 * An Intune Exchange (ActiveSync on-premises) connector as read from v1.0.
 *
 * Facts (v1.0 CSDL `deviceManagementExchangeConnector`): `connectorServerName`, `exchangeAlias`,
 * `exchangeConnectorType`, `exchangeOrganization`, `lastSyncDateTime` (non-nullable),
 * `primarySmtpAddress`, `serverName`, `status` (`deviceManagementExchangeConnectorStatus`: none = 0,
 * connectionPending = 1, connected = 2, disconnected = 3, unknownFutureValue = 4), `version`.
 */
export interface ExchangeConnector {
  id: string;
  name: string;
  status: string;
  lastSyncDateTime: EpochMs | null;
}

export function parseExchangeConnector(obj: Json): ExchangeConnector {
  const what = itemWhat('Exchange connector', obj);
  const id = requiredString(obj, 'id', what);
  const name = optionalString(obj, 'connectorServerName', what) || optionalString(obj, 'serverName', what) || optionalString(obj, 'primarySmtpAddress', what) || id;
  return { id, name, status: optionalString(obj, 'status', what) ?? 'none', lastSyncDateTime: optionalDate(obj, 'lastSyncDateTime', what) };
}

function assessConnector(c: ExchangeConnector, ctx: KindContext) {
  const what = `The Exchange connector "${c.name}"`;
  const findings: Finding[] = [];
  if (c.status === 'disconnected') {
    findings.push({ code: 'connector_state', severity: 'critical', message: `${what} is disconnected: Exchange access rules and device quarantine decisions no longer reach Intune.` });
  } else if (c.status === 'connectionPending') {
    findings.push({ code: 'connector_state', severity: 'warning', message: `${what} has not connected yet (connection pending).` });
  }
  return assessFacts(ctx, { kind: 'exchange', assetId: c.id, name: `Exchange connector "${c.name}"`, findings, sync: { what, verb: 'synced with Exchange', at: c.lastSyncDateTime } });
}

/** `GET /v1.0/deviceManagement/exchangeConnectors`: in use when the list is not empty (SPEC §14). */
export const exchangeKind: CollectionKind<'exchange', ExchangeConnector> = {
  kind: 'exchange',
  shape: 'collection',
  short: 'Exchange',
  label: 'Exchange connector',
  resource: 'the Exchange connectors',
  group: 'connectors',
  read: { version: 'v1.0', path: '/deviceManagement/exchangeConnectors', permission: BASE_READ_PERMISSION },
  item: { label: 'Exchange connector', where: `${CONNECTORS_AND_TOKENS} > Exchange ActiveSync connectors` },
  parseItem: parseExchangeConnector,
  labelOf: (o) => o.connectorServerName || o.serverName,
  ...eachConnector('exchange', 'Exchange connectors (on-premises ActiveSync)', assessConnector),
  nextSteps: (asset) => [
    `On the server that runs ${asset.name}, check that the Intune Exchange connector service is running and can reach both Exchange and Intune; restart it if needed.`,
    `Then check it in the Intune admin center: ${CONNECTORS_AND_TOKENS} > Exchange ActiveSync connectors, and choose Quick sync.`,
  ],
  links: () => [INTUNE_ADMIN_CENTER],
};
