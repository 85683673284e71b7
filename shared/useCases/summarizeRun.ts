import { formatUtc } from '../domain/graphDateTime';
import { describeTenant } from '../domain/describeTenant';
import type { CheckReport } from './checkExpiry';

/** One log line per run: what was seen and what was sent. */
export function summarizeRun(report: CheckReport): string {
  const assets = report.assessments
    .filter((a) => a.kind !== 'monitor' && a.inUse !== false)
    .map((a) => `${a.name}: ${a.severity}${a.daysRemaining !== undefined ? ` (${a.daysRemaining} d)` : ''}`);
  const sent = report.channels.map((c) => `${c.channel} ${c.sent} sent${c.failed ? `, ${c.failed} failed` : ''}`);
  return [
    `Check of tenant ${describeTenant(report.tenantId, report.tenantName)} at ${formatUtc(report.at)}: worst ${report.worst}.`,
    assets.length > 0 ? `Assets: ${assets.join('; ')}.` : 'Assets: none read.',
    report.notified ? `Deliveries: ${sent.length > 0 ? sent.join('; ') : 'nothing new to send'}.` : 'Notifications off.',
  ].join(' ');
}
