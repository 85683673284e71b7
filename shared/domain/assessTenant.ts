import {
  alertKey,
  APNS_NOT_CONFIGURED_ID,
  MONITOR_ASSET_ID,
  type AdeToken,
  type ApnsCertificate,
  type EpochMs,
  type TenantSnapshot,
  type UnreadableItem,
  type VppToken,
} from './assets';
import { APNS_GRACE_DAYS, assessExpiry, describeExpiry } from './assessExpiry';
import type { Assessment, Finding } from './assessment';
import { formatUtc } from './graphDateTime';
import type { AlertPolicy } from './policy';
import { severityRank, worstOf, type Severity } from './severity';

const UPLOAD_FAILED_STATUSES = new Set(['failed', 'failure', 'error']);
const VPP_STATE_SEVERITY: Record<string, Severity> = {
  expired: 'expired',
  invalid: 'critical',
  // Another MDM took the token over: Intune no longer manages those licences.
  assignedToExternalMDM: 'critical',
  duplicateLocationId: 'warning',
  unknown: 'warning',
};

/** Assesses every asset of a snapshot, plus the monitor's own health, worst first. */
export function assessTenant(snapshot: TenantSnapshot, now: EpochMs, policy: AlertPolicy): Assessment[] {
  const { tenantId } = snapshot;
  const out: Assessment[] = [];
  if (snapshot.apns.status === 'ok') out.push(assessApns(tenantId, snapshot.apns.value, now, policy));
  if (snapshot.apns.status === 'not_configured') out.push(apnsNotConfigured(tenantId, now));
  if (snapshot.vpp.status === 'ok') for (const t of snapshot.vpp.value) out.push(assessVpp(tenantId, t, now, policy));
  if (snapshot.ade.status === 'ok') for (const t of snapshot.ade.value) out.push(assessAde(tenantId, t, now, policy));
  for (const kind of ['vpp', 'ade'] as const) {
    const outcome = snapshot[kind];
    if (outcome.status !== 'ok') continue;
    for (const item of outcome.unreadable ?? []) if (item.id !== undefined) out.push(assessUnreadable(tenantId, kind, { ...item, id: item.id }, now));
  }
  out.push(assessMonitor(snapshot, now));
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

function expiryFinding(what: string, expiresAt: EpochMs, now: EpochMs, policy: AlertPolicy, grace: boolean): Finding {
  const { severity } = assessExpiry(expiresAt, now, policy);
  const phrase = describeExpiry(expiresAt, now);
  const when = formatUtc(expiresAt);
  if (severity !== 'expired') {
    return { code: 'expiry', severity, message: `${what} expires ${phrase} (${when}).` };
  }
  if (!grace) return { code: 'expiry', severity, message: `${what} expired ${phrase} (${when}).` };
  const graceEnds = expiresAt + APNS_GRACE_DAYS * 86_400_000;
  const message =
    graceEnds > now
      ? `${what} expired ${phrase} (${when}). It can still be renewed until ${formatUtc(graceEnds)}; after that every device must be re-enrolled.`
      : `${what} expired ${phrase} (${when}) and Apple's ${APNS_GRACE_DAYS}-day renewal grace period is over: a new certificate is the only way, and every device must be re-enrolled.`;
  return { code: 'expiry', severity, message };
}

function finish(base: Omit<Assessment, 'severity' | 'findings'>, findings: Finding[]): Assessment {
  const alerting = findings.filter((f) => f.severity !== 'ok');
  alerting.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { ...base, severity: worstOf(alerting.map((f) => f.severity)), findings: alerting };
}

export function assessApns(tenantId: string, cert: ApnsCertificate, now: EpochMs, policy: AlertPolicy): Assessment {
  const findings = [expiryFinding('The Apple MDM push certificate', cert.expirationDateTime, now, policy, true)];
  const status = cert.certificateUploadStatus?.toLowerCase();
  if (status && UPLOAD_FAILED_STATUSES.has(status)) {
    const reason = cert.certificateUploadFailureReason ? `: ${cert.certificateUploadFailureReason}` : '';
    findings.push({ code: 'upload_failed', severity: 'warning', message: `The last certificate upload failed${reason}.` });
  }
  return finish(
    {
      key: alertKey(tenantId, 'apns', cert.topicIdentifier),
      tenantId,
      kind: 'apns',
      assetId: cert.topicIdentifier,
      name: 'Apple MDM push certificate',
      appleId: cert.appleIdentifier,
      topic: cert.topicIdentifier,
      serialNumber: cert.certificateSerialNumber,
      expiresAt: cert.expirationDateTime,
      daysRemaining: assessExpiry(cert.expirationDateTime, now, policy).daysRemaining,
      assessedAt: now,
    },
    findings,
  );
}

function apnsNotConfigured(tenantId: string, now: EpochMs): Assessment {
  // A deployed monitor implies a certificate should exist: not configured is a warning, never ok.
  return finish(
    {
      key: alertKey(tenantId, 'apns', APNS_NOT_CONFIGURED_ID),
      tenantId,
      kind: 'apns',
      assetId: APNS_NOT_CONFIGURED_ID,
      name: 'Apple MDM push certificate',
      assessedAt: now,
    },
    [
      {
        code: 'not_configured',
        severity: 'warning',
        message: 'No Apple MDM push certificate is configured in Intune: no Apple device can be enrolled or managed.',
        hint: 'If Apple devices are managed in this tenant, check that the monitor reads the right tenant.',
      },
    ],
  );
}

export function assessVpp(tenantId: string, token: VppToken, now: EpochMs, policy: AlertPolicy): Assessment {
  // v1.0 has no displayName (beta only): the organization, then the Apple ID (SPEC §2).
  const label = token.organizationName || token.appleId || token.id;
  const what = `The VPP token "${label}"`;
  const findings = [expiryFinding(what, token.expirationDateTime, now, policy, false)];
  if (token.state !== 'valid') {
    const severity = VPP_STATE_SEVERITY[token.state] ?? 'warning';
    findings.push({ code: 'vpp_state', severity, message: `${what} is in state "${token.state}".` });
  }
  if (token.lastSyncStatus === 'failed') {
    findings.push({ code: 'vpp_sync_failed', severity: 'warning', message: `${what} failed its last sync with Apple.` });
  }
  return finish(
    {
      key: alertKey(tenantId, 'vpp', token.id),
      tenantId,
      kind: 'vpp',
      assetId: token.id,
      name: `VPP token "${label}"`,
      appleId: token.appleId,
      expiresAt: token.expirationDateTime,
      daysRemaining: assessExpiry(token.expirationDateTime, now, policy).daysRemaining,
      assessedAt: now,
    },
    findings,
  );
}

export function assessAde(tenantId: string, token: AdeToken, now: EpochMs, policy: AlertPolicy): Assessment {
  const label = token.tokenName || token.appleIdentifier;
  return finish(
    {
      key: alertKey(tenantId, 'ade', token.id),
      tenantId,
      kind: 'ade',
      assetId: token.id,
      name: `ADE token "${label}"`,
      appleId: token.appleIdentifier,
      expiresAt: token.tokenExpirationDateTime,
      daysRemaining: assessExpiry(token.tokenExpirationDateTime, now, policy).daysRemaining,
      assessedAt: now,
    },
    [expiryFinding(`The ADE (automated device enrollment) token "${label}"`, token.tokenExpirationDateTime, now, policy, false)],
  );
}

const ITEM_LABEL = { vpp: 'VPP token', ade: 'ADE token' } as const;

/**
 * A token Graph listed without a readable expiry: its own warning (the monitor cannot tell when it
 * expires), on its own key, so it neither hides nor is hidden by the tokens beside it.
 */
export function assessUnreadable(tenantId: string, kind: 'vpp' | 'ade', item: UnreadableItem & { id: string }, now: EpochMs): Assessment {
  const name = `${ITEM_LABEL[kind]} "${item.label ?? item.id}"`;
  return finish(
    { key: alertKey(tenantId, kind, item.id), tenantId, kind, assetId: item.id, name, assessedAt: now },
    [
      {
        code: 'unreadable',
        severity: 'warning',
        message: `Intune lists the ${name} but its expiry cannot be read: ${item.error.message}`,
        hint: `Open the ${ITEM_LABEL[kind]} in the Intune admin center (Tenant administration > Connectors and tokens) and check its expiry; renew or remove it.`,
      },
    ],
  );
}

const RESOURCE_LABEL = { apns: 'the APNs certificate', vpp: 'the VPP tokens', ade: 'the ADE tokens' } as const;

/** The monitor is an asset too: when it cannot read Intune it is critical, never silently blind. */
export function assessMonitor(snapshot: TenantSnapshot, now: EpochMs): Assessment {
  const findings: Finding[] = [];
  // One finding per distinct failure: a sign-in that fails for all three reads is said once.
  const failures = new Map<string, { kinds: string[]; hint: string | undefined }>();
  for (const kind of ['apns', 'vpp', 'ade'] as const) {
    const outcome = snapshot[kind];
    if (outcome.status !== 'failed') continue;
    const seen = failures.get(outcome.error.message);
    if (seen) seen.kinds.push(RESOURCE_LABEL[kind]);
    else failures.set(outcome.error.message, { kinds: [RESOURCE_LABEL[kind]], hint: outcome.error.hint });
  }
  for (const [message, { kinds, hint }] of failures) {
    const what = kinds.length === 1 ? kinds[0] : `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}`;
    const finding: Finding = { code: 'read_failed', severity: 'critical', message: `Could not read ${what} from Intune: ${message}` };
    if (hint) finding.hint = hint;
    findings.push(finding);
  }
  for (const kind of ['vpp', 'ade'] as const) {
    const outcome = snapshot[kind];
    if (outcome.status !== 'ok') continue;
    const anonymous = (outcome.unreadable ?? []).filter((i) => i.id === undefined);
    if (anonymous.length === 0) continue;
    findings.push({
      code: 'read_failed',
      severity: 'warning',
      message: `Intune listed ${anonymous.length} ${ITEM_LABEL[kind]}${anonymous.length > 1 ? 's' : ''} that could not be read at all: ${anonymous[0]?.error.message ?? ''}`,
      hint: `Check the ${ITEM_LABEL[kind]}s in the Intune admin center.`,
    });
  }
  return finish(
    {
      key: alertKey(snapshot.tenantId, 'monitor', MONITOR_ASSET_ID),
      tenantId: snapshot.tenantId,
      kind: 'monitor',
      assetId: MONITOR_ASSET_ID,
      name: 'Expiry monitor (reading Intune)',
      assessedAt: now,
    },
    findings,
  );
}

/**
 * The run could not use its state (unreadable file, unreachable table): the monitor asset turns
 * critical saying so, and the assessed alerts still go out (at-least-once wins over de-duplication).
 */
export function withStateFailure(assessments: readonly Assessment[], failure: { message: string; hint?: string | undefined }): Assessment[] {
  const finding: Finding = {
    code: 'state_failed',
    severity: 'critical',
    message: `The monitor's state could not be used: ${failure.message} This run's alerts were sent without checking what was already sent, so some may repeat.`,
    hint: failure.hint ?? 'Repair the state storage named above (or move a broken state file away); until then every run re-sends its alerts.',
  };
  const out = assessments.map((a) => {
    if (a.kind !== 'monitor') return a;
    const { severity: _s, findings, ...base } = a;
    return finish(base, [...findings, finding]);
  });
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/**
 * Channels switched off after 410 Gone: the monitor warns about each through the other channels,
 * so a deleted Teams workflow is noticed instead of silently losing every alert.
 */
export function withDisabledChannels(assessments: readonly Assessment[], disabled: readonly { channel: string; at: EpochMs; reason: string }[]): Assessment[] {
  if (disabled.length === 0) return [...assessments];
  const findings: Finding[] = disabled.map((d) => ({
    code: 'channel_gone',
    severity: 'warning',
    message: `The ${d.channel} channel is switched off since ${formatUtc(d.at)}: ${d.reason}`,
    hint: `Update the ${d.channel} setting with a working receiver; the channel comes back on by itself when the setting changes.`,
  }));
  const out = assessments.map((a) => {
    if (a.kind !== 'monitor') return a;
    const { severity: _s, findings: existing, ...base } = a;
    return finish(base, [...existing, ...findings]);
  });
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}
