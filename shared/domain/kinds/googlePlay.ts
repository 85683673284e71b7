import type { EpochMs } from '../assets';
import type { AlertAsset, Finding } from '../assessment';
import { asObject, optionalDate, optionalString, type Json } from '../graphJson';
import { INTUNE_ADMIN_CENTER, type AlertLink } from '../links';
import { CONNECTORS_AND_TOKENS, notInUse } from './connectors';
import { assessFacts } from './assessFacts';
import { CONFIGURATION_READ_PERMISSION, type EntityKind, type KindContext } from './kindSpec';

/**
 * The tenant's Managed Google Play binding (Android Enterprise), a singleton read from beta.
 *
 * Facts (beta `androidManagedStoreAccountEnterpriseSettings`, microsoft-graph-docs-contrib
 * intune-androidforwork-*; absent from the v1.0 CSDL): `bindStatus`
 * (`androidManagedStoreAccountBindStatus`: notBound = 0, bound = 1, boundAndValidated = 2,
 * unbinding = 3), `lastAppSyncStatus` (`androidManagedStoreAccountAppSyncStatus`: success = 0,
 * credentialsNotValid = 1, androidForWorkApiError = 2, managementServiceError = 3, unknownError = 4,
 * none = 5), `lastAppSyncDateTime`, `ownerUserPrincipalName` (the Google account that bound it),
 * `ownerOrganizationName`. Graph answers the singleton as the entity itself (the reference page's
 * example wraps it in `value`, which Graph does not). Needs `DeviceManagementConfiguration.Read.All`.
 */
export interface GooglePlayBinding {
  bindStatus: string;
  lastAppSyncStatus: string | null;
  lastAppSyncDateTime: EpochMs | null;
  ownerUserPrincipalName: string | null;
  ownerOrganizationName: string | null;
}

const ASSET_ID = 'binding';
const NAME = 'Managed Google Play';
const MANAGED_GOOGLE_PLAY: AlertLink = Object.freeze({ title: 'Managed Google Play', url: 'https://play.google.com/work' });
const SYNC_FAILURE: Record<string, string> = {
  credentialsNotValid: 'the Google account credentials are no longer valid',
  androidForWorkApiError: "Google's Android Enterprise API answered with an error",
  managementServiceError: "Intune's management service failed",
  unknownError: 'an unknown error',
};

export function parseGooglePlayBinding(body: unknown): GooglePlayBinding {
  const what = 'the Managed Google Play settings';
  const obj: Json = asObject(body, what);
  return {
    bindStatus: optionalString(obj, 'bindStatus', what) ?? 'notBound',
    lastAppSyncStatus: optionalString(obj, 'lastAppSyncStatus', what),
    lastAppSyncDateTime: optionalDate(obj, 'lastAppSyncDateTime', what),
    ownerUserPrincipalName: optionalString(obj, 'ownerUserPrincipalName', what),
    ownerOrganizationName: optionalString(obj, 'ownerOrganizationName', what),
  };
}

function assess(b: GooglePlayBinding, ctx: KindContext) {
  if (b.bindStatus === 'notBound') return notInUse(ctx, 'googleplay', ASSET_ID, NAME);
  const owner = b.ownerUserPrincipalName || b.ownerOrganizationName;
  const name = owner ? `${NAME} (${owner})` : NAME;
  const findings: Finding[] = [];
  if (b.bindStatus === 'unbinding') {
    findings.push({ code: 'connector_state', severity: 'critical', message: `${NAME} is being unbound from Intune: Android Enterprise devices stop getting apps and new enrolments fail.` });
  }
  const status = b.lastAppSyncStatus;
  if (status && status !== 'success' && status !== 'none') {
    findings.push({ code: 'sync_error', severity: 'warning', message: `${NAME}'s last app sync failed ("${status}": ${SYNC_FAILURE[status] ?? 'an error Intune reports'}).` });
  }
  return assessFacts(ctx, { kind: 'googleplay', assetId: ASSET_ID, name, findings, sync: { what: NAME, verb: 'synced its apps with Google', at: b.lastAppSyncDateTime } });
}

function nextSteps(asset: AlertAsset, findings: readonly Finding[]): string[] {
  const owner = /\((.+)\)$/.exec(asset.name)?.[1];
  const steps = [`Open the Intune admin center: ${CONNECTORS_AND_TOKENS} > Managed Google Play, check the binding's status and choose Sync.`];
  if (findings.some((f) => f.message.includes('credentialsNotValid'))) {
    steps.push(`Sign in to Managed Google Play again with the Google account that bound it${owner ? ` (${owner})` : ''}: Intune cannot sync approved apps until its credentials are valid.`);
  }
  steps.push('If the binding is being removed by mistake, re-bind it from the same page with the same Google account: devices enrolled under another account must enroll again.');
  return steps;
}

/** `GET /beta/deviceManagement/androidManagedStoreAccountEnterpriseSettings`: in use when `bindStatus ≠ notBound` (SPEC §14). */
export const googlePlayKind: EntityKind<'googleplay', GooglePlayBinding> = {
  kind: 'googleplay',
  shape: 'entity',
  short: 'Google Play',
  label: 'Managed Google Play binding',
  resource: 'the Managed Google Play settings',
  group: 'connectors',
  read: { version: 'beta', path: '/deviceManagement/androidManagedStoreAccountEnterpriseSettings', permission: CONFIGURATION_READ_PERMISSION },
  // A singleton is always there; "not bound" is data, assessed as not in use.
  isAbsent: () => false,
  parse: parseGooglePlayBinding,
  assess: (binding, ctx) => [assess(binding, ctx)],
  absent: (ctx) => [notInUse(ctx, 'googleplay', ASSET_ID, NAME)],
  nextSteps,
  links: () => [INTUNE_ADMIN_CENTER, MANAGED_GOOGLE_PLAY],
};
