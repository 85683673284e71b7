import type { AssetKind, EpochMs } from './assets';
import { describeExpiry } from './assessExpiry';
import type { Assessment, Finding } from './assessment';
import { formatUtc } from './graphDateTime';
import type { Severity } from './severity';

/**
 * - `alert`: an asset entered a worse severity; `reminder`: it stays there and the repeat interval passed;
 * - `resolved`: an alerted asset got better (renewed, recovered, removed);
 * - `changed`: a one-shot change seen between runs (topic or Apple ID changed);
 * - `renewed`: a renewal was uploaded and verified (sent to every channel).
 */
export const ALERT_EVENT_TYPES = ['alert', 'reminder', 'resolved', 'changed', 'renewed'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const APPLE_PUSH_PORTAL_URL = 'https://identity.apple.com/pushcert/';
export const INTUNE_ADMIN_CENTER_URL = 'https://intune.microsoft.com/';
export const APPLE_BUSINESS_MANAGER_URL = 'https://business.apple.com/';

export interface AlertLink {
  title: string;
  url: string;
}

export interface AlertAsset {
  kind: AssetKind;
  assetId: string;
  name: string;
  appleId?: string;
  topic?: string;
  serialNumber?: string;
  expiresAt?: EpochMs;
  daysRemaining?: number;
}

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
}

export function assetOf(a: Assessment): AlertAsset {
  const asset: AlertAsset = { kind: a.kind, assetId: a.assetId, name: a.name };
  if (a.appleId !== undefined) asset.appleId = a.appleId;
  if (a.topic !== undefined) asset.topic = a.topic;
  if (a.serialNumber !== undefined) asset.serialNumber = a.serialNumber;
  if (a.expiresAt !== undefined) asset.expiresAt = a.expiresAt;
  if (a.daysRemaining !== undefined) asset.daysRemaining = a.daysRemaining;
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

/** The renewal steps for the asset, in words; "use the same Apple ID" for APNs (SPEC §4). */
export function nextStepsFor(asset: AlertAsset, findings: readonly Finding[]): string[] {
  switch (asset.kind) {
    case 'apns': {
      if (findings.some((f) => f.code === 'not_configured')) {
        return [
          'Set up the Apple MDM push certificate in the Intune admin center (Devices > Enrollment > Apple > MDM Push Certificate), or point the monitor at the tenant that has it.',
        ];
      }
      const appleId = asset.appleId ?? 'the Apple ID that created it';
      const topic = asset.topic ? ` (topic ${asset.topic})` : '';
      return [
        `Renew in the Apple Push Certificates Portal signed in as ${appleId} — renew the existing certificate${topic}, not a new certificate: a new one forces every device to re-enroll.`,
        'Download the certificate signing request first: GET /api/apns/csr, "apns-monitor csr", or the Intune admin center.',
        'Store the renewed .pem in Key Vault, then run the guarded upload: POST /api/apns/renew with {"dryRun": true}, then without it (or "apns-monitor renew").',
      ];
    }
    case 'vpp':
      return [
        `Download a renewed VPP (Apps and Books) token in Apple Business Manager signed in as ${asset.appleId ?? 'the token owner'}.`,
        'Upload it in the Intune admin center: Tenant administration > Connectors and tokens > Apple VPP tokens.',
      ];
    case 'ade':
      return [
        `Download a new server token for the MDM server in Apple Business Manager signed in as ${asset.appleId ?? 'the token owner'}.`,
        'Upload it in the Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens.',
      ];
    case 'monitor': {
      const hints = [...new Set(findings.flatMap((f) => (f.hint ? [f.hint] : [])))];
      return hints.length > 0 ? hints : ['Check the Function App logs for the failed run; the monitor cannot see expiries until it reads Intune again.'];
    }
  }
}

export function linksFor(asset: AlertAsset): AlertLink[] {
  const intune = { title: 'Intune admin center', url: INTUNE_ADMIN_CENTER_URL };
  switch (asset.kind) {
    case 'apns':
      return [intune, { title: 'Apple Push Certificates Portal', url: APPLE_PUSH_PORTAL_URL }];
    case 'vpp':
    case 'ade':
      return [intune, { title: 'Apple Business Manager', url: APPLE_BUSINESS_MANAGER_URL }];
    case 'monitor':
      return [intune];
  }
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
  return event;
}

function mainLine(a: Assessment, now: EpochMs): string | undefined {
  const first = a.findings[0];
  if (!first) return undefined;
  if (first.code === 'expiry') return `${a.name} ${expiryPhrase(assetOf(a), now)}`;
  if (first.title) return first.title;
  if (first.code === 'read_failed') return 'Expiry monitor cannot read Intune';
  if (first.code === 'state_failed') return 'Expiry monitor cannot use its state (alerts may repeat)';
  if (first.code === 'not_configured') return 'No Apple MDM push certificate in Intune';
  return first.message.replace(/\.$/, '');
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
