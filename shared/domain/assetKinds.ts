import { MONITORED_KINDS, type MonitoredKind } from './assets';
import { adeKind } from './kinds/ade';
import { apnsKind } from './kinds/apns';
import type { GraphVersion, KindSpec } from './kinds/kindSpec';
import { vppKind } from './kinds/vpp';

/**
 * Every kind of asset, described once (STYLE.md "a new kind of asset is one entry"): the batch,
 * the policy, the channels, the page and the calendar iterate over these descriptions. The type
 * makes a kind without its entry a compile error.
 */
const KINDS = {
  apns: apnsKind,
  vpp: vppKind,
  ade: adeKind,
} as const satisfies { readonly [K in MonitoredKind]: KindSpec<K> };

export function kindSpec<K extends MonitoredKind>(kind: K): (typeof KINDS)[K] {
  return KINDS[kind];
}

/** The descriptions in assessment order (`MONITORED_KINDS`). */
export const KIND_SPECS: readonly KindSpec[] = MONITORED_KINDS.map((k) => KINDS[k] as KindSpec);

/** The kinds read through one API version's `$batch`, in order. */
export function kindsOfVersion(version: GraphVersion, kinds: readonly MonitoredKind[] = MONITORED_KINDS): KindSpec[] {
  return KIND_SPECS.filter((s) => s.read.version === version && kinds.includes(s.kind));
}
