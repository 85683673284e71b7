import { severityLabel } from '../domain/alertEvent';
import type { Assessment } from '../domain/assessment';
import { formatUtc } from '../domain/graphDateTime';
import type { Severity } from '../domain/severity';
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

/** The first line Nagios/Icinga show: status, the worst asset, and perfdata (days left per asset). */
export function nagiosLine(report: CheckReport, exitCode: number): string {
  const worst = report.assessments[0];
  let text: string;
  if (report.readFailures.length > 0) text = `cannot read Intune: ${report.readFailures[0]?.message ?? ''}`;
  else if (report.stateFailure) text = `alerts sent, but the monitor state is not usable: ${report.stateFailure.message}`;
  else if (report.deliveryFailed) text = `alerts not delivered on ${report.channels.filter((c) => c.failed > 0).map((c) => c.channel).join(', ')}`;
  else if (report.heldElsewhere.count > 0) text = heldElsewhereMessage(report) ?? '';
  else if (!worst || worst.severity === 'ok') text = 'all Apple certificates and tokens are healthy';
  else text = detail(worst);
  const perf = report.assessments
    .filter((a) => a.daysRemaining !== undefined)
    .map((a) => `'${a.kind}:${a.assetId.slice(0, 36)}'=${a.daysRemaining}`)
    .join(' ');
  return `APNS ${statusWord(exitCode)} - ${text}${perf ? ` | ${perf}` : ''}`;
}

function detail(a: Assessment): string {
  const first = a.findings[0];
  if (!first) return `${a.name}: ok`;
  return first.message.replace(/\.$/, '');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A readable table of the assets, worst first. */
export function formatTable(assessments: readonly Assessment[]): string {
  const header = ['SEVERITY', 'ASSET', 'EXPIRES (UTC)', 'DAYS', 'APPLE ID', 'DETAIL'];
  const rows = assessments.map((a) => [
    severityLabel(a.severity),
    a.name,
    a.expiresAt === undefined ? '-' : formatUtc(a.expiresAt).replace('T', ' ').slice(0, 16),
    a.daysRemaining === undefined ? '-' : String(a.daysRemaining),
    a.appleId ?? '-',
    a.findings[0] ? a.findings[0].message + (a.findings.length > 1 ? ` (+${a.findings.length - 1} more)` : '') : 'ok',
  ]);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export interface ReportOptions {
  /** `--now` was given: the run was read-only. */
  forecast?: boolean;
}

export function formatReport(report: CheckReport, exitCode: number, options: ReportOptions = {}): string {
  const lines = [nagiosLine(report, exitCode), '', `Tenant ${report.tenantId} at ${formatUtc(report.at)}`, formatTable(report.assessments)];
  for (const f of report.readFailures) if (f.hint) lines.push('', `Hint: ${f.hint}`);
  if (report.stateFailure?.hint) lines.push('', `Hint: ${report.stateFailure.hint}`);
  if (report.notified) {
    lines.push('');
    if (report.channels.length === 0 && report.heldElsewhere.count === 0) lines.push('Notifications: nothing new to send.');
    const held = heldElsewhereMessage(report);
    if (held) lines.push(`Notifications: ${held}`);
    for (const c of report.channels) {
      lines.push(`Notifications: ${c.channel}: ${c.sent} sent${c.failed ? `, ${c.failed} failed (${c.errors.join('; ')}) — retried on the next run` : ''}`);
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
    at: formatUtc(report.at),
    forecast: options.forecast === true,
    worst: report.worst,
    assets: report.assessments.map(assetStatus),
    errors: report.readFailures.map((e) => ({ code: e.code, message: e.message, hint: e.hint ?? null })),
    notified: report.notified,
    channels: report.channels,
  };
}
