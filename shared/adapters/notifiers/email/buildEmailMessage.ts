import type { AlertEvent } from '../../../domain/alertEvent';
import type { Severity } from '../../../domain/severity';
import { clampEvent, factsOf, oneLine, truncate } from '../describeEvent';

const COLOUR: Record<Severity, string> = { ok: '#107c10', notice: '#0078d4', warning: '#c19c00', critical: '#d13438', expired: '#a4262c' };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface EmailMessage {
  subject: string;
  html: string;
  /** The same message as plain text (first line of the HTML body, and what the log/demo shows). */
  text: string;
}

/**
 * An HTML e-mail with a plain-text first line, for Graph `sendMail`. Every value is HTML-escaped
 * and cut (`clampEvent`); the subject is one line.
 */
export function buildEmailMessage(original: AlertEvent): EmailMessage {
  const event = clampEvent(original);
  const resolved = event.type === 'resolved' || event.type === 'renewed';
  const colour = resolved ? COLOUR.ok : COLOUR[event.severity];
  const subject = truncate(oneLine(`[Intune APNs monitor] ${event.title} — ${event.tenantName}`), 255);
  const facts = factsOf(event);
  const text = [
    `${event.title} (${event.tenantName})`,
    event.summary,
    ...facts.map((f) => `${f.title}: ${f.value}`),
    ...event.nextSteps.map((s, i) => `${i + 1}. ${s}`),
    ...event.links.map((l) => `${l.title}: ${l.url}`),
  ].join('\n');
  const html = `<!DOCTYPE html><html><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#201f1e">
<p style="display:none;font-size:1px;color:#ffffff;max-height:0;overflow:hidden">${escapeHtml(truncate(`${event.title}. ${event.summary}`, 200))}</p>
<div style="border-left:6px solid ${colour};padding:8px 12px;margin-bottom:12px"><h2 style="margin:0;font-size:18px">${escapeHtml(event.title)}</h2>
<div style="color:#605e5c">${escapeHtml(event.tenantName)}</div></div>
<p>${escapeHtml(event.summary)}</p>
<table style="border-collapse:collapse">${facts
    .map((f) => `<tr><td style="padding:2px 12px 2px 0;color:#605e5c">${escapeHtml(f.title)}</td><td style="padding:2px 0">${escapeHtml(f.value)}</td></tr>`)
    .join('')}</table>
${event.nextSteps.length > 0 ? `<h3 style="font-size:15px">Next steps</h3><ol>${event.nextSteps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>` : ''}
<p>${event.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.title)}</a>`).join(' · ')}</p>
<p style="color:#a19f9d;font-size:12px">Alert key ${escapeHtml(event.key)} · event ${escapeHtml(event.id)} · sent by intune-apns-monitor</p>
</body></html>`;
  return { subject, html, text };
}
