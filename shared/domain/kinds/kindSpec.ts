import type { EpochMs, MonitoredKind } from '../assets';
import type { AlertAsset, Assessment, Finding } from '../assessment';
import type { Json } from '../graphJson';
import type { AlertLink } from '../links';
import type { AlertPolicy } from '../policy';

/** The Graph API versions the product reads; each has its own `$batch` (SPEC §2). */
export type GraphVersion = 'v1.0' | 'beta';

/** The application permission every deployment grants for reading (SPEC §2). */
export const BASE_READ_PERMISSION = 'DeviceManagementServiceConfig.Read.All';
/**
 * What the certificate connectors, Managed Google Play and `deviceManagement.connectorStatus` need
 * instead (SPEC §14): a 403 on them is a warning naming it, never a blind monitor.
 */
export const CONFIGURATION_READ_PERMISSION = 'DeviceManagementConfiguration.Read.All';

/** How a kind is read: one request inside its version's `$batch`. Data, not code. */
export interface GraphRead {
  version: GraphVersion;
  /** The path under the version root, with its query (`/deviceManagement?$select=connectorStatus`). */
  path: string;
  /** The least-privileged application permission for this read. */
  permission: string;
}

/** What every kind's assessment needs to know. */
export interface KindContext {
  tenantId: string;
  /** The instant the policy is evaluated at (`--now`): dates ahead (an expiry, a deadline) count from it. */
  now: EpochMs;
  /**
   * When Intune was read: the age of what already happened (the last sync, the last heartbeat)
   * counts from it, so a forecast with `--now` does not call this morning's sync months old.
   */
  readAt: EpochMs;
  policy: AlertPolicy;
  /** The assessments of the kinds described before this one (Intune's own verdicts compare with them). */
  assessed: readonly Assessment[];
  /** The kinds read this run (`ok` or `not_configured`): only they have a verdict of the product's own. */
  read: ReadonlySet<MonitoredKind>;
}

/** Where the status page shows a kind: with the tenant's Apple assets, or with Intune's other connectors. */
export type KindGroup = 'apple' | 'connectors';

/** `V`: what one read of the kind yields (an entity, or the list of its items). */
interface KindDescription<K extends MonitoredKind, V> {
  kind: K;
  /** A short tag: "APNs", "NDES", "MTD". */
  short: string;
  /** What one asset of this kind is, as the channels name the kind: "APNs certificate", "Certificate connector". */
  label: string;
  /** The read, as a failure names it: "the APNs certificate", "the certificate connectors". */
  resource: string;
  group: KindGroup;
  read: GraphRead;
  /**
   * The date that matters for this kind, carried as the assessment's `expiresAt` (the calendar's
   * event, the timeline, "days left"), and what it means; undefined when the kind has none.
   */
  date?: { title: string };
  /**
   * How an alert resolves when its asset is no longer listed by a good read: "removed" from Intune
   * (a deleted token), or "recovered" (a verdict that no longer disagrees is simply not listed).
   */
  vanished?: 'removed' | 'recovered';
  /** Every asset of the kind as read; connectors the tenant does not use are assessed "not in use". */
  assess(value: V, ctx: KindContext): Assessment[];
  /** Graph says there is nothing (404, 204, or an entity of nulls and `0001-01-01` dates). */
  absent(ctx: KindContext): Assessment[];
  /** What to do next, in words, with the place to do it. */
  nextSteps(asset: AlertAsset, findings: readonly Finding[]): string[];
  links(asset: AlertAsset): AlertLink[];
}

/** A resource that is one JSON object: a singleton (`windowsAutopilotSettings`) or the APNs certificate. */
export interface EntityKind<K extends MonitoredKind, V> extends KindDescription<K, V> {
  shape: 'entity';
  /** True when a 200 answer still means "not set up" (null strings and `0001-01-01` dates). */
  isAbsent(body: unknown): boolean;
  parse(body: unknown): V;
}

/** A list: a collection's `value` (with `@odata.nextLink` pages), or a list property of an entity. */
export interface CollectionKind<K extends MonitoredKind, I> extends KindDescription<K, I[]> {
  shape: 'collection';
  /** The list property (default `value`). */
  property?: string;
  /** One item, as a message names it ("VPP token"), and where the admin center lists it. */
  item: { label: string; where: string };
  /** Parses one item; one that throws is reported on its own and never hides its siblings. */
  parseItem(obj: Json): I;
  /** An item's name when the item itself cannot be read. */
  labelOf(obj: Json): unknown;
  /** An item's stable id (default its `id`): its alert key. */
  idOf?(obj: Json): string | undefined;
}

/** A kind's description, its value's type left open (the registry keeps each one's: `KindValues`). */
export type KindSpec<K extends MonitoredKind = MonitoredKind> = EntityKind<K, unknown> | CollectionKind<K, unknown>;
