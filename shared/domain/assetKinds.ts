import { isMonitoredKind, MONITORED_KINDS, type MonitoredKind } from './assets';
import { adeKind } from './kinds/ade';
import { apnsKind } from './kinds/apns';
import { autopilotKind } from './kinds/autopilot';
import { certConnectorsKind } from './kinds/certConnectors';
import { connectorStatusKind } from './kinds/connectorStatus';
import { exchangeKind } from './kinds/exchange';
import { googlePlayKind } from './kinds/googlePlay';
import { BASE_READ_PERMISSION, type GraphVersion, type KindSpec } from './kinds/kindSpec';
import { mtdKind } from './kinds/mtd';
import { partnersKind } from './kinds/partners';
import { vppKind } from './kinds/vpp';
import type { AppError } from './errors';

/**
 * Every kind of asset, described once (STYLE.md "a new kind of asset is one entry"): the batch,
 * the policy, the channels, the page and the calendar iterate over these descriptions. The type
 * makes a kind without its entry a compile error.
 */
const KINDS = {
  apns: apnsKind,
  vpp: vppKind,
  ade: adeKind,
  certconnectors: certConnectorsKind,
  mtd: mtdKind,
  googleplay: googlePlayKind,
  partners: partnersKind,
  autopilot: autopilotKind,
  exchange: exchangeKind,
  connectorstatus: connectorStatusKind,
} as const satisfies { readonly [K in MonitoredKind]: KindSpec<K> };

/** The registry's type: each kind's description with its own value type (what `KindValues` is made of). */
export type KindRegistry = typeof KINDS;

export function kindSpec<K extends MonitoredKind>(kind: K): (typeof KINDS)[K] {
  return KINDS[kind];
}

/** The descriptions in assessment order (`MONITORED_KINDS`). */
export const KIND_SPECS: readonly KindSpec[] = MONITORED_KINDS.map((k) => KINDS[k] as KindSpec);

/** The kinds read through one API version's `$batch`, in order. */
export function kindsOfVersion(version: GraphVersion, kinds: readonly MonitoredKind[] = MONITORED_KINDS): KindSpec[] {
  return KIND_SPECS.filter((s) => s.read.version === version && kinds.includes(s.kind));
}

/**
 * A 403 on a read that needs more than the base permission (the certificate connectors, Managed
 * Google Play, Intune's connector status): a warning naming that permission, never a blind monitor
 * and never a failed run (SPEC §14).
 */
export function isPermissionGap(kind: MonitoredKind, error: AppError): boolean {
  return error.code === 'graph_permission_denied' && kindSpec(kind).read.permission !== BASE_READ_PERMISSION;
}

/** What an asset's date means ("Expires", "Devices non-compliant from"): its kind's description, else an expiry. */
export function dateTitleOf(kind: string): string {
  return (isMonitoredKind(kind) ? kindSpec(kind).date?.title : undefined) ?? 'Expires';
}
