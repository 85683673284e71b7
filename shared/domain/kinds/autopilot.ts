import type { EpochMs } from '../assets';
import type { Finding } from '../assessment';
import { asObject, optionalDate, optionalString } from '../graphJson';
import { INTUNE_ADMIN_CENTER } from '../links';
import { notInUse } from './connectors';
import { assessFacts } from './assessFacts';
import { BASE_READ_PERMISSION, type EntityKind, type KindContext } from './kindSpec';

/**
 * The tenant's Windows Autopilot sync with the device data sync service, a singleton read from beta.
 *
 * Facts (beta `windowsAutopilotSettings`, microsoft-graph-docs-contrib intune-enrollment-*; absent
 * from the v1.0 CSDL): `lastSyncDateTime`, `lastManualSyncTriggerDateTime` and `syncStatus`
 * (`windowsAutopilotSyncStatus`: unknown = 0, inProgress = 1, completed = 2, failed = 3). A tenant
 * that never synced has `0001-01-01` dates. Read with `DeviceManagementServiceConfig.Read.All`.
 */
export interface AutopilotSettings {
  lastSyncDateTime: EpochMs | null;
  syncStatus: string;
}

const ASSET_ID = 'sync';
const NAME = 'Windows Autopilot sync';

export function parseAutopilotSettings(body: unknown): AutopilotSettings {
  const what = 'the Windows Autopilot settings';
  const obj = asObject(body, what);
  return { lastSyncDateTime: optionalDate(obj, 'lastSyncDateTime', what), syncStatus: optionalString(obj, 'syncStatus', what) ?? 'unknown' };
}

function assess(s: AutopilotSettings, ctx: KindContext) {
  // In use once a sync ever happened (SPEC §14).
  if (s.lastSyncDateTime === null) return notInUse(ctx, 'autopilot', ASSET_ID, NAME);
  const findings: Finding[] = [];
  if (s.syncStatus === 'failed') {
    findings.push({ code: 'sync_error', severity: 'warning', message: `The ${NAME} failed: devices registered since the last good sync cannot be deployed with Autopilot.` });
  }
  return assessFacts(ctx, { kind: 'autopilot', assetId: ASSET_ID, name: NAME, findings, sync: { what: `The ${NAME}`, verb: 'run', at: s.lastSyncDateTime } });
}

/** `GET /beta/deviceManagement/windowsAutopilotSettings`: in use when a sync ever happened (SPEC §14). */
export const autopilotKind: EntityKind<'autopilot', AutopilotSettings> = {
  kind: 'autopilot',
  shape: 'entity',
  short: 'Autopilot',
  label: 'Windows Autopilot sync',
  resource: 'the Windows Autopilot settings',
  group: 'connectors',
  read: { version: 'beta', path: '/deviceManagement/windowsAutopilotSettings', permission: BASE_READ_PERMISSION },
  // A singleton is always there; "never synced" is data, assessed as not in use.
  isAbsent: () => false,
  parse: parseAutopilotSettings,
  assess: (settings, ctx) => [assess(settings, ctx)],
  absent: (ctx) => [notInUse(ctx, 'autopilot', ASSET_ID, NAME)],
  nextSteps: () => [
    'Start a sync in the Intune admin center: Devices > Enrollment > Windows > Windows Autopilot > Devices > Sync (Intune accepts one every 10 minutes).',
    'If it keeps failing, check the Intune service health (Tenant administration > Tenant status) and the devices imported since the last good sync.',
  ],
  links: () => [INTUNE_ADMIN_CENTER],
};
