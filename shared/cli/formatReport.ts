import { escapeLogText, escapeNagiosText } from '../adapters/notifiers/plainText';
import { describeAcknowledgement } from '../domain/acknowledgement';
import { severityLabel } from '../domain/alertEvent';
import { SHARED_CAUSE_LABEL } from '../domain/assessFleet';
import type { AppError } from '../domain/errors';
import type { Assessment } from '../domain/assessment';
import { describeTenant } from '../domain/describeTenant';
import { formatUtc } from '../domain/graphDateTime';
import { severityRank, type Severity } from '../domain/severity';
import type { FleetRun, TenantResult } from '../useCases/checkFleet';
import { heldElsewhereMessage, runFailure, type CheckReport } from '../useCases/checkExpiry';
import { assetStatus } from '../useCases/getStatus';

/** Nagios plugin convention: 0 OK (ok/notice), 1 WARNING, 2 CRITICAL (critical/expired), 3 UNKNOWN (the check failed). */
export const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
const STATUS = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export function exitCodeOf(report: CheckReport): number {
  if (runFailure(report)) return EXIT.unknown;
  return exitCodeForSeverity(report.worst);
}

export function exitCodeForSeverity(severity: Severity): number {
  if (severity === 'critical' || severity === 'expired') return EXIT.critical;
  if (severity === 'warning') return EXIT.warning;
  return EXIT.ok;
}

export function statusWord(exitCode: number): string {
  return STATUS[exitCode] ?? 'UNKNOWN';
}

/**
 * A perfdata label: the plugin guidelines allow anything but `'` and `=` inside the quotes; Graph's
 * asset ids are data, so those, `|` and control characters cannot come through.
 */
function perfLabel(text: string): string {
  return `'${escapeNagiosText(text).replace(/['=]/g, '_')}'`;
}

/**
 * The status line's text and perfdata: whatever Graph named an asset, it stays the first line and
 * the perfdata after its `|` stays ours (SPEC §9).
 */
function statusLine(exitCode: number, text: string, perf: string): string {
  return `APNS ${statusWord(exitCode)} - ${escapeNagiosText(text)}${perf ? ` | ${perf}` : ''}`;
}

/** The first line Nagios/Icinga show: status, the worst asset, and perfdata (days left per asset). */
export function nagiosLine(report: CheckReport, exitCode: number): string {
  const perf = report.assessments
    .filter((a) => a.daysRemaining !== undefined)
    .map((a) => `${perfLabel(`${a.kind}:${a.assetId.slice(0, 36)}`)}=${a.daysRemaining}`)
    .join(' ');
  return statusLine(exitCode, headline(report), perf);
}

/** What matters most in one tenant's run, in one line. */
function headline(report: CheckReport): string {
  const worst = report.assessments[0];
  if (report.readFailures.length > 0) return `cannot read Intune: ${report.readFailures[0]?.message ?? ''}`;
  if (report.stateFailure) return `alerts sent, but the monitor state is not usable: ${report.stateFailure.message}`;
  if (report.deliveryFailed) return `alerts not delivered on ${report.channels.filter((c) => c.failed > 0).map((c) => c.channel).join(', ')}`;
  if (report.heldElsewhere.count > 0) return heldElsewhereMessage(report) ?? '';
  if (!worst || worst.severity === 'ok') return 'every certificate, token and connector in use is healthy';
  return detail(worst);
}

function detail(a: Assessment): string {
  const first = a.findings[0];
  if (!first) return `${a.name}: ok`;
  return first.message.replace(/\.$/, '');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/**
 * A readable table of the assets in use, worst first, then one line naming the connectors the
 * tenant does not use (never alerted: a row each would only bury what matters). Every cell is one
 * line, Graph's text escaped.
 */
export function formatTable(assessments: readonly Assessment[]): string {
  const header = ['SEVERITY', 'ASSET', 'EXPIRES (UTC)', 'DAYS', 'APPLE ID', 'DETAIL'];
  const notInUse = assessments.filter((a) => a.inUse === false);
  const rows = assessments.filter((a) => a.inUse !== false).map((a) => [
    severityLabel(a.severity),
    a.name,
    a.expiresAt === undefined ? '-' : formatUtc(a.expiresAt).replace('T', ' ').slice(0, 16),
    a.daysRemaining === undefined ? '-' : String(a.daysRemaining),
    a.appleId ?? '-',
    a.findings[0] ? a.findings[0].message + (a.findings.length > 1 ? ` (+${a.findings.length - 1} more)` : '') : 'ok',
  ].map(escapeLogText));
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ');
  const unused = notInUse.length > 0 ? [`Not in use (never alerted): ${notInUse.map((a) => escapeLogText(a.name)).join(', ')}.`] : [];
  return [line(header), ...rows.map(line), ...unused].join('\n');
}

/** "Acknowledged: <asset> by … until …: <reason> (reminders paused)", one per acknowledgement that still holds. */
function acknowledgementLines(report: CheckReport, indent = ''): string[] {
  if (report.acknowledgements.length === 0) return [];
  const nameOf = (key: string) => report.assessments.find((a) => a.key === key)?.name ?? key;
  return ['', ...report.acknowledgements.map((ack) => `${indent}Acknowledged: ${nameOf(ack.key)} at ${ack.severity} ${describeAcknowledgement(ack)} (reminders paused; anything worse still alerts)`)];
}

/** The run's hints, each once: the three reads of one failed sign-in share one. */
function hintsOf(report: CheckReport): string[] {
  return [...new Set([...report.readFailures.map((e) => e.hint), report.stateFailure?.hint].filter((h): h is string => !!h))];
}

export interface ReportOptions {
  /** `--now` was given: the run was read-only. */
  forecast?: boolean;
}

export function formatReport(report: CheckReport, exitCode: number, options: ReportOptions = {}): string {
  // Each line built here is escaped whole: the values in it (names, messages, hints) stay on it.
  const line = escapeLogText;
  const lines = [nagiosLine(report, exitCode), '', line(`Tenant ${describeTenant(report.tenantId, report.tenantName)} at ${formatUtc(report.at)}`), formatTable(report.assessments)];
  for (const hint of hintsOf(report)) lines.push('', line(`Hint: ${hint}`));
  lines.push(...acknowledgementLines(report).map(line));
  if (report.notified) {
    lines.push('');
    if (report.channels.length === 0 && report.heldElsewhere.count === 0) lines.push('Notifications: nothing new to send.');
    const held = heldElsewhereMessage(report);
    if (held) lines.push(`Notifications: ${held}`);
    for (const c of report.channels) {
      lines.push(line(`Notifications: ${c.channel}: ${c.sent} sent${c.failed ? `, ${c.failed} failed (${c.errors.join('; ')}) — retried on the next run` : ''}`));
    }
  } else if (options.forecast) {
    lines.push('', `Forecast as if on ${formatUtc(report.at)} (--now): read-only — nothing was sent and the state was not updated.`);
  } else {
    lines.push('', 'Notifications: off (--no-notify); state not updated.');
  }
  return lines.join('\n');
}

export function reportJson(report: CheckReport, exitCode: number, options: ReportOptions = {}): unknown {
  return {
    status: statusWord(exitCode),
    exitCode,
    tenantId: report.tenantId,
    tenantName: report.tenantName,
    at: formatUtc(report.at),
    forecast: options.forecast === true,
    worst: report.worst,
    assets: report.assessments.map((a) => assetStatus(a, report.acknowledgements.find((ack) => ack.key === a.key))),
    errors: report.readFailures.map((e) => ({ code: e.code, message: e.message, hint: e.hint ?? null })),
    notified: report.notified,
    channels: report.channels,
  };
}

// ---- Fleet (SPEC §11, §15) ----

/** The worst exit code over the fleet: 3 when any tenant could not be read, was not tried, or its run failed. */
export function fleetExitCode(run: FleetRun): number {
  return run.results.reduce<number>((worst, r) => Math.max(worst, tenantExit(r)), run.registryFailure ? EXIT.unknown : EXIT.ok);
}

function tenantExit(r: TenantResult): number {
  return r.report ? exitCodeOf(r.report) : EXIT.unknown;
}

function tenantHeadline(r: TenantResult): string {
  return r.report ? headline(r.report) : `the check did not run: ${r.error?.message ?? 'unknown error'}`;
}

/** "the sign-in failed …: <message>": the cause a stopped run names once, for every tenant. */
function sharedCauseLine(cause: AppError): string {
  return `${cause.sharedCause ? SHARED_CAUSE_LABEL[cause.sharedCause] : 'a cause every tenant shares'}: ${cause.message}`;
}

/** Worst tenant first (exit code, then severity), then by name. */
function byUrgency(results: readonly TenantResult[]): TenantResult[] {
  const rank = (r: TenantResult) => [tenantExit(r) === EXIT.unknown ? 4 : tenantExit(r), r.report ? severityRank(r.report.worst) : 5] as const;
  return [...results].sort((a, b) => {
    const [ea, sa] = rank(a);
    const [eb, sb] = rank(b);
    return eb - ea || sb - sa || a.tenant.name.localeCompare(b.tenant.name);
  });
}

/**
 * The Nagios line of a fleet: the counts, the shared cause (when the run stopped on one) or the
 * worst tenant by name, perfdata per tenant and asset.
 */
export function fleetNagiosLine(run: FleetRun, exitCode: number): string {
  const { results } = run;
  const counts = new Map<string, number>();
  for (const r of results) {
    const word = r.notTried ? 'not tried' : tenantExit(r) === EXIT.unknown ? 'unreadable' : (r.report?.worst ?? 'ok');
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const order = ['unreadable', 'not tried', 'expired', 'critical', 'warning', 'notice', 'ok'];
  const summary = order.filter((w) => counts.has(w)).map((w) => `${counts.get(w)} ${w}`).join(', ');
  const worst = byUrgency(results)[0];
  const lead = run.sharedCause
    ? `; every tenant: ${sharedCauseLine(run.sharedCause.error)}`
    : worst && (tenantExit(worst) > EXIT.ok || (worst.report && worst.report.worst !== 'ok'))
      ? `; worst: ${describeTenant(worst.tenant.id, worst.tenant.name)}: ${tenantHeadline(worst)}`
      : '';
  const perf = results
    .flatMap((r) => (r.report?.assessments ?? []).filter((a) => a.daysRemaining !== undefined).map((a) => `${perfLabel(`${r.tenant.id.slice(0, 36)}:${a.kind}`)}=${a.daysRemaining}`))
    .join(' ');
  const registry = run.registryFailure ? `; the tenant registry could not be read (registered tenants not checked): ${run.registryFailure.code}` : '';
  return statusLine(exitCode, `${results.length} tenant${results.length === 1 ? '' : 's'}: ${summary}${registry}${lead}`, perf);
}

/**
 * The fleet report: the Nagios line, the shared cause once (when the run stopped on one, with the
 * tenants it did not try), then each tenant tried (name and id) with its assets, worst first.
 */
export function formatFleetReport(run: FleetRun, exitCode: number, at: number, options: ReportOptions = {}): string {
  const { results } = run;
  // Each line built here is escaped whole: the values in it (names, messages, hints) stay on it.
  const line = escapeLogText;
  const lines = [fleetNagiosLine(run, exitCode), '', `Fleet of ${results.length} tenant${results.length === 1 ? '' : 's'} at ${formatUtc(at)}`];
  if (run.registryFailure) {
    lines.push('', line(run.registryFailure.message));
    if (run.registryFailure.hint) lines.push(line(`Hint: ${run.registryFailure.hint}`));
  }
  if (run.sharedCause) {
    const { error, tried, notTried } = run.sharedCause;
    lines.push('', line(`Every tenant: ${sharedCauseLine(error)}`));
    if (error.hint) lines.push(line(`Hint: ${error.hint}`));
    const names = (rs: readonly TenantResult[]) => rs.map((r) => describeTenant(r.tenant.id, r.tenant.name)).join(', ');
    const covered = results.filter((r) => r.report?.sharedCause);
    lines.push(line(`Tried and failed this way (${covered.length}): ${names(covered)}.`));
    if (notTried > 0) lines.push(line(`Not tried (${notTried}): ${names(results.filter((r) => r.notTried))}.`));
    if (tried > covered.length) lines.push(`The other ${tried - covered.length} tried ${tried - covered.length === 1 ? 'tenant is' : 'tenants are'} below.`);
  }
  // The tenants the shared cause covers were listed once above; the others, each with its assets.
  for (const r of byUrgency(results.filter((t) => !t.notTried && !(run.sharedCause && t.report?.sharedCause)))) {
    lines.push('', line(`${statusWord(tenantExit(r))}  ${describeTenant(r.tenant.id, r.tenant.name)}`));
    if (r.report) lines.push(...formatTable(r.report.assessments).split('\n').map((l) => `  ${l}`));
    else lines.push(line(`  The check did not run: ${r.error?.describe() ?? 'unknown error'}`));
    // The shared cause's hint is said once, above.
    for (const hint of r.report ? hintsOf(r.report).filter((h) => h !== run.sharedCause?.error.hint) : []) lines.push(line(`  Hint: ${hint}`));
    if (r.report) lines.push(...acknowledgementLines(r.report, '  ').slice(1).map(line));
  }
  lines.push('');
  if (options.forecast) lines.push(`Forecast as if on ${formatUtc(at)} (--now): read-only — nothing was sent and the state was not updated.`);
  else if (results.every((r) => !r.report?.notified) && !run.health) lines.push('Notifications: off (--no-notify); state not updated.');
  else {
    const totals = new Map<string, { sent: number; failed: number }>();
    for (const c of [...results.flatMap((r) => r.report?.channels ?? []), ...(run.health?.channels ?? [])]) {
      const t = totals.get(c.channel) ?? { sent: 0, failed: 0 };
      t.sent += c.sent;
      t.failed += c.failed;
      totals.set(c.channel, t);
    }
    if (totals.size === 0) lines.push('Notifications: nothing new to send.');
    for (const [channel, t] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`Notifications: ${channel}: ${t.sent} sent${t.failed ? `, ${t.failed} failed — retried on the next run` : ''}`);
    }
  }
  return lines.join('\n');
}

export function fleetJson(run: FleetRun, exitCode: number, at: number, options: ReportOptions = {}): unknown {
  const cause = run.sharedCause;
  return {
    status: statusWord(exitCode),
    exitCode,
    at: formatUtc(at),
    forecast: options.forecast === true,
    fleet: true,
    sharedCause: cause ? { code: cause.error.code, cause: cause.error.sharedCause ?? null, message: cause.error.message, hint: cause.error.hint ?? null, tried: cause.tried, notTried: cause.notTried } : null,
    registryError: run.registryFailure ? { code: run.registryFailure.code, message: run.registryFailure.message, hint: run.registryFailure.hint ?? null } : null,
    tenants: byUrgency(run.results).map((r) => {
      const code = tenantExit(r);
      const base = { tenantId: r.tenant.id, tenantName: r.tenant.name, status: statusWord(code), exitCode: code, notTried: r.notTried === true };
      if (!r.report) return { ...base, worst: null, assets: [], errors: [{ code: r.error?.code ?? 'internal_error', message: r.error?.message ?? '', hint: r.error?.hint ?? null }], channels: [] };
      const json = reportJson(r.report, code, options) as Record<string, unknown>;
      return { ...base, worst: r.report.worst, assets: json.assets, errors: json.errors, channels: r.report.channels };
    }),
  };
}
