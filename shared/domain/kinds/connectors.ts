import type { MonitoredKind } from '../assets';
import type { Assessment } from '../assessment';
import { assessFacts } from './assessFacts';
import type { KindContext } from './kindSpec';

/** The asset id of a connector kind the tenant does not use at all (an empty list, an unbound singleton). */
export const NOT_IN_USE_ID = 'not-in-use';

/** Where the Intune admin center lists Intune's connectors and tokens. */
export const CONNECTORS_AND_TOKENS = 'Tenant administration > Connectors and tokens';

/** A connector (or a whole kind) the tenant does not use: "not in use" on the page, never an alert. */
export function notInUse(ctx: KindContext, kind: MonitoredKind, assetId: string, name: string): Assessment {
  return { ...assessFacts(ctx, { kind, assetId, name }), inUse: false };
}

/**
 * The `assess` and `absent` of a list of connectors: each connector on its own; no connector at all
 * (an empty list, or 404) is one "not in use" row for the kind.
 */
export function eachConnector<T>(kind: MonitoredKind, whenNone: string, assessOne: (item: T, ctx: KindContext) => Assessment) {
  const none = (ctx: KindContext): Assessment[] => [notInUse(ctx, kind, NOT_IN_USE_ID, whenNone)];
  return {
    assess: (items: readonly T[], ctx: KindContext): Assessment[] => (items.length === 0 ? none(ctx) : items.map((item) => assessOne(item, ctx))),
    absent: none,
  };
}
