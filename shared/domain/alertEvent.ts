import type { Acknowledgement, AcknowledgementStatus } from './acknowledgement';
import type { EpochMs } from './assets';
import { kindSpec } from './assetKinds';
import { describeExpiry } from './assessExpiry';
import type { AlertAsset, Assessment, Finding, FindingCode } from './assessment';

export type { AlertAsset };
import { formatUtc } from './graphDateTime';
import { INTUNE_ADMIN_CENTER, type AlertLink } from './links';
import type { Severity } from './severity';

/**
 * - `alert`: an asset entered a worse severity; `reminder`: it stays there and the repeat interval passed;
 * - `resolved`: an alerted asset got better (renewed, recovered, removed);
 * - `changed`: a one-shot change seen between runs (topic or Apple ID changed);
 * - `renewed`: a renewal was uploaded and verified (sent to every channel);
 * - `proposal`: a certificate stored in Key Vault was dry-run and waits for a person's approval, or
 *   was refused (sent to every channel, SPEC §16).
 */
export const ALERT_EVENT_TYPES = ['alert', 'reminder', 'resolved', 'changed', 'renewed', 'proposal'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export { APPLE_BUSINESS_MANAGER_URL, APPLE_PUSH_PORTAL_URL, INTUNE_ADMIN_CENTER_URL, type AlertLink } from './links';


/**
 * An acknowledgement of the alert (SPEC §15) as a message carries it: `active` while it pauses the
 * reminders, or how it ended in this run (`escalated`: a worse severity broke through).
 */
export type AlertAcknowledgement = Omit<Acknowledgement, 'key'> & { status: AcknowledgementStatus };

/** One message, as every channel receives it before its own formatting. Contains no secret. */
export interface AlertEvent {
  /** Unique per message; the same on every channel and on a retry (Standard Webhooks `webhook-id`). */
  id: string;
  type: AlertEventType;
  /** Stable per alertable condition (`{tenantId}:{kind}:{assetId}`): PagerDuty's `dedup_key`. */
  key: string;
  tenantId: string;
  /** How people know the tenant (`APNS_TENANT_NAME`, or the fleet entry's display name). Plain text. */
  tenantName: string;
  /** The severity now; for `resolved`, the better severity the asset moved to. */
  severity: Severity;
  previousSeverity?: Severity;
  occurredAt: EpochMs;
  asset: AlertAsset;
  /** One line, e.g. "WARNING: Apple MDM push certificate expires in 25 days". */
  title: string;
  /** What happened and why it matters, in a few sentences. */
  summary: string;
  findings: Finding[];
  /** What to do next, in words, in order. */
  nextSteps: string[];
  links: AlertLink[];
  /** Who acknowledged this alert, why and until when, if someone did (whether it still holds or just ended). */
  acknowledgement?: AlertAcknowledgement;
}

export function assetOf(a: Assessment): AlertAsset {
  const asset: AlertAsset = { kind: a.kind, assetId: a.assetId, name: a.name };
  if (a.appleId !== undefined) asset.appleId = a.appleId;
  if (a.topic !== undefined) asset.topic = a.topic;
  if (a.serialNumber !== undefined) asset.serialNumber = a.serialNumber;
  if (a.expiresAt !== undefined) asset.expiresAt = a.expiresAt;
  if (a.daysRemaining !== undefined) asset.daysRemaining = a.daysRemaining;
  if (a.lastSyncAt !== undefined) asset.lastSyncAt = a.lastSyncAt;
  return asset;
}

const LABEL: Record<Severity, string> = {
  ok: 'OK',
  notice: 'NOTICE',
  warning: 'WARNING',
  critical: 'CRITICAL',
  expired: 'EXPIRED',
};

export function severityLabel(severity: Severity): string {
  return LABEL[severity];
}

/** What to do next for the asset, in words (the renewal steps, "use the same Apple ID" for APNs, SPEC §4). */
export function nextStepsFor(asset: AlertAsset, findings: readonly Finding[]): string[] {
  if (asset.kind !== 'monitor') return kindSpec(asset.kind).nextSteps(asset, findings);
  const hints = [...new Set(findings.flatMap((f) => (f.hint ? [f.hint] : [])))];
  return hints.length > 0 ? hints : ['Check the Function App logs for the failed run; the monitor cannot see expiries until it reads Intune again.'];
}

export function linksFor(asset: AlertAsset): AlertLink[] {
  return asset.kind === 'monitor' ? [INTUNE_ADMIN_CENTER] : kindSpec(asset.kind).links(asset);
}

function expiryPhrase(asset: AlertAsset, now: EpochMs): string {
  if (asset.expiresAt === undefined) return '';
  const verb = asset.expiresAt < now ? 'expired' : 'expires';
  return `${verb} ${describeExpiry(asset.expiresAt, now)} (${formatUtc(asset.expiresAt)})`;
}

export interface BuildFromAssessment {
  id: string;
  type: 'alert' | 'reminder' | 'resolved';
  assessment: Assessment;
  tenantName: string;
  previousSeverity?: Severity;
  /** For `resolved`: why it got better. */
  resolution?: 'renewed' | 'recovered' | 'removed';
  acknowledgement?: AlertAcknowledgement;
  now: EpochMs;
}

/** The message for an alert, a reminder or a resolution of one assessed condition. */
export function buildAlertEvent(input: BuildFromAssessment): AlertEvent {
  const { assessment: a, type } = input;
  const asset = assetOf(a);
  const first = a.findings[0];
  let title: string;
  let summary: string;
  if (type === 'resolved') {
    title = resolvedTitle(asset, input.resolution ?? 'recovered', input.now);
    const still = a.severity === 'ok' ? '' : ` It is still at ${a.severity}: ${first?.message ?? ''}`;
    summary = `${resolvedSentence(asset, input.resolution ?? 'recovered', input.now)}${still}`.trim();
  } else {
    const lead = a.kind === 'monitor' ? 'Expiry monitor cannot read Intune' : `${a.name} ${expiryPhrase(asset, input.now) || 'needs attention'}`;
    const prefix = type === 'reminder' ? 'Reminder — ' : '';
    title = `${severityLabel(a.severity)}: ${prefix}${mainLine(a, input.now) ?? lead}`;
    summary = a.findings.map((f) => f.message).join(' ');
  }
  const event: AlertEvent = {
    id: input.id,
    type,
    key: a.key,
    tenantId: a.tenantId,
    tenantName: input.tenantName,
    severity: a.severity,
    occurredAt: input.now,
    asset,
    title,
    summary,
    findings: a.findings,
    nextSteps: type === 'resolved' && a.severity === 'ok' ? [] : nextStepsFor(asset, a.findings),
    links: linksFor(asset),
  };
  if (input.previousSeverity !== undefined) event.previousSeverity = input.previousSeverity;
  if (input.acknowledgement !== undefined) event.acknowledgement = input.acknowledgement;
  return event;
}

function mainLine(a: Assessment, now: EpochMs): string | undefined {
  const first = a.findings[0];
  if (!first) return undefined;
  if (first.code === 'expiry') return `${a.name} ${expiryPhrase(assetOf(a), now)}`;
  if (first.title) return first.title;
  if (first.code === 'read_failed') return 'Expiry monitor cannot read Intune';
  if (first.code === 'permission_missing') return 'Expiry monitor cannot read some connectors: a Graph permission is missing';
  if (first.code === 'state_failed') return 'Expiry monitor cannot use its state (alerts may repeat)';
  if (first.code === 'not_configured') return 'No Apple MDM push certificate in Intune';
  return EXPLAINED.has(first.code) ? headline(first.message) : first.message.replace(/\.$/, '');
}

/** Findings whose message explains itself after a colon: their title is the part before it. */
const EXPLAINED = new Set<FindingCode>(['connector_state', 'sync_error', 'intune_verdict']);

/**
 * A finding's message as a title: the part before its explanation ("… is inactive: Intune has not
 * heard …" reads "… is inactive"), never cutting inside parentheses; else the sentence as it is.
 */
function headline(message: string): string {
  let depth = 0;
  for (let i = 0; i < message.length - 1; i++) {
    const c = message[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ':' && message[i + 1] === ' ' && depth === 0) return message.slice(0, i);
  }
  return message.replace(/\.$/, '');
}

function resolvedTitle(asset: AlertAsset, why: 'renewed' | 'recovered' | 'removed', now: EpochMs): string {
  if (why === 'renewed') return `RESOLVED: ${asset.name} renewed — now ${expiryPhrase(asset, now)}`;
  if (why === 'removed') return `RESOLVED: ${asset.name} is no longer in Intune`;
  return asset.kind === 'monitor' ? 'RESOLVED: Expiry monitor reads Intune again' : `RESOLVED: ${asset.name} recovered`;
}

function resolvedSentence(asset: AlertAsset, why: 'renewed' | 'recovered' | 'removed', now: EpochMs): string {
  if (why === 'renewed') return `${asset.name} was renewed: it now ${expiryPhrase(asset, now)}.`;
  if (why === 'removed') return `${asset.name} is no longer present in Intune, so its alert is closed.`;
  return asset.kind === 'monitor' ? 'The monitor read Intune successfully again.' : `${asset.name} no longer needs attention.`;
}
