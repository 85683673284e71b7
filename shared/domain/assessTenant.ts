import { alertKey, MONITOR_ASSET_ID, MONITORED_KINDS, type EpochMs, type MonitoredKind, type ReadOutcome, type UnreadableItem } from './assets';
import type { TenantSnapshot } from './snapshot';
import { isPermissionGap, KIND_SPECS } from './assetKinds';
import { finishAssessment, type Assessment, type Finding } from './assessment';
import { describeDestination } from './channels';
import { formatUtc } from './graphDateTime';
import type { KindContext, KindSpec } from './kinds/kindSpec';
import type { AlertPolicy } from './policy';
import { severityRank } from './severity';

/** The kinds a snapshot read (`ok` or "not configured"): the ones whose absent assets may resolve as removed. */
export function readKindsOf(snapshot: TenantSnapshot): Set<MonitoredKind> {
  return new Set(MONITORED_KINDS.filter((k) => snapshot[k].status === 'ok' || snapshot[k].status === 'not_configured'));
}

/** Assesses every asset of a snapshot, kind by kind as the registry describes them, plus the monitor's own health, worst first. */
export function assessTenant(snapshot: TenantSnapshot, now: EpochMs, policy: AlertPolicy): Assessment[] {
  const out: Assessment[] = [];
  const read = readKindsOf(snapshot);
  for (const spec of KIND_SPECS) {
    out.push(...assessKind(spec, snapshot[spec.kind], { tenantId: snapshot.tenantId, now, readAt: snapshot.readAt, policy, assessed: [...out], read }));
  }
  out.push(assessMonitor(snapshot, now));
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

function assessKind(spec: KindSpec, outcome: ReadOutcome<unknown>, ctx: KindContext): Assessment[] {
  if (outcome.status === 'not_configured') return spec.absent(ctx);
  if (outcome.status !== 'ok') return [];
  // A collection's read is its list of items (the gateway parses it so); an entity's, the entity.
  const out = spec.shape === 'collection' ? spec.assess(outcome.value as unknown[], ctx) : spec.assess(outcome.value, ctx);
  if (spec.shape === 'collection') {
    for (const item of outcome.unreadable ?? []) if (item.id !== undefined) out.push(assessUnreadable(ctx.tenantId, spec.kind, spec.item, { ...item, id: item.id }, ctx.now));
  }
  return out;
}

/**
 * An item Graph listed but that cannot be read (a token with a null expiry): its own warning,
 * on its own key, so it neither hides nor is hidden by the items beside it.
 */
export function assessUnreadable(tenantId: string, kind: MonitoredKind, itemOf: { label: string; where: string }, item: UnreadableItem & { id: string }, now: EpochMs): Assessment {
  const name = `${itemOf.label} "${item.label ?? item.id}"`;
  return finishAssessment(
    { key: alertKey(tenantId, kind, item.id), tenantId, kind, assetId: item.id, name, assessedAt: now },
    [
      {
        code: 'unreadable',
        severity: 'warning',
        message: `Intune lists the ${name} but it cannot be read: ${item.error.message}`,
        hint: `Open the ${itemOf.label} in the Intune admin center (${itemOf.where}) and check it; renew, repair or remove it.`,
      },
    ],
  );
}

/** The monitor is an asset too: when it cannot read Intune it is critical, never silently blind. */
export function assessMonitor(snapshot: TenantSnapshot, now: EpochMs): Assessment {
  const findings: Finding[] = [];
  // One finding per distinct failure: a sign-in that fails for every read is said once.
  const failures = new Map<string, { kinds: string[]; hint: string | undefined }>();
  // A further permission that is missing: once per permission, whatever the reads it blocks.
  const gaps = new Map<string, { kinds: string[]; hint: string | undefined }>();
  for (const spec of KIND_SPECS) {
    const outcome = snapshot[spec.kind];
    if (outcome.status !== 'failed') continue;
    const [group, key] = isPermissionGap(spec.kind, outcome.error) ? [gaps, spec.read.permission] : [failures, outcome.error.message];
    const seen = group.get(key);
    if (seen) seen.kinds.push(spec.resource);
    else group.set(key, { kinds: [spec.resource], hint: outcome.error.hint });
  }
  const asked = KIND_SPECS.filter((spec) => snapshot[spec.kind].status !== 'skipped').length;
  for (const [message, { kinds, hint }] of failures) {
    // A failure of every read (a sign-in, consent) is said of Intune as a whole, not as a list of ten.
    const what = kinds.length === asked && asked > 3 ? `anything (all ${asked} reads)` : listOf(kinds);
    const finding: Finding = { code: 'read_failed', severity: 'critical', message: `Could not read ${what} from Intune: ${message}` };
    if (hint) finding.hint = hint;
    findings.push(finding);
  }
  for (const [permission, { kinds, hint }] of gaps) {
    const finding: Finding = {
      code: 'permission_missing',
      severity: 'warning',
      message: `Microsoft Graph refused ${listOf(kinds)} (403): the identity lacks the permission ${permission}. Everything else is still watched.`,
    };
    if (hint) finding.hint = hint;
    findings.push(finding);
  }
  for (const spec of KIND_SPECS) {
    const outcome = snapshot[spec.kind];
    if (outcome.status !== 'ok' || spec.shape !== 'collection') continue;
    const anonymous = (outcome.unreadable ?? []).filter((i) => i.id === undefined);
    if (anonymous.length === 0) continue;
    findings.push({
      code: 'read_failed',
      severity: 'warning',
      message: `Intune listed ${anonymous.length} ${spec.item.label}${anonymous.length > 1 ? 's' : ''} that could not be read at all: ${anonymous[0]?.error.message ?? ''}`,
      hint: `Check the ${spec.item.label}s in the Intune admin center (${spec.item.where}).`,
    });
  }
  return finishAssessment(
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

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
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
    return finishAssessment(base, [...findings, finding]);
  });
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Channels switched off after 410 Gone: the monitor warns about each through the other channels,
 * so a deleted Teams workflow is noticed instead of silently losing every alert.
 */
export function withDisabledChannels(assessments: readonly Assessment[], disabled: readonly { channel: string; at: EpochMs; reason: string }[]): Assessment[] {
  if (disabled.length === 0) return [...assessments];
  const findings: Finding[] = disabled.map((d) => ({
    code: 'channel_gone',
    severity: 'warning',
    message: `${capitalized(describeDestination(d.channel))} is switched off since ${formatUtc(d.at)}: ${d.reason}`,
    hint: `Update the setting of ${describeDestination(d.channel)} with a working receiver; it comes back on by itself when the setting changes.`,
  }));
  const out = assessments.map((a) => {
    if (a.kind !== 'monitor') return a;
    const { severity: _s, findings: existing, ...base } = a;
    return finishAssessment(base, [...existing, ...findings]);
  });
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}
