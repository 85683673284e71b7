import { describeTenant } from '../../domain/describeTenant';
import type { AcknowledgementStatus } from '../../domain/acknowledgement';
import type { AlertEvent } from '../../domain/alertEvent';
import { describeExpiry } from '../../domain/assessExpiry';
import { dateTitleOf, kindSpec } from '../../domain/assetKinds';
import { formatUtc } from '../../domain/graphDateTime';

/** What the asset is, as the channels name its kind ("APNs certificate", "Certificate connector"). */
export function kindLabel(event: AlertEvent): string {
  return event.asset.kind === 'monitor' ? 'Expiry monitor' : kindSpec(event.asset.kind).label;
}

/** How people know the tenant: its name, with the id when the name is not the id. */
export function tenantLabel(event: AlertEvent): string {
  return describeTenant(event.tenantId, event.tenantName);
}

const utcText = (ms: number) => formatUtc(ms).replace('.000Z', 'Z');

/** How a message says what became of the alert's acknowledgement. */
const ACK_STATUS: Record<AcknowledgementStatus, string> = {
  active: 'yes, reminders paused',
  lapsed: 'ended (its date passed)',
  escalated: 'ended: the severity got worse',
  resolved: 'ended with the alert',
};

/** The facts every channel shows, in order, as label/value pairs (absent ones left out). Plain text. */
export function factsOf(event: AlertEvent): { title: string; value: string }[] {
  const a = event.asset;
  const facts = [
    { title: 'Tenant', value: tenantLabel(event) },
    { title: 'Asset', value: a.name },
    { title: 'Severity', value: event.type === 'resolved' || event.type === 'renewed' ? `resolved (now ${event.severity})` : event.severity },
  ];
  if (a.appleId) facts.push({ title: 'Apple ID', value: a.appleId });
  if (a.topic) facts.push({ title: 'Topic', value: a.topic });
  // Not every date is an expiry: a partner's is when its devices are marked non-compliant.
  const date = dateTitleOf(a.kind);
  if (a.expiresAt !== undefined) facts.push({ title: `${date} (UTC)`, value: utcText(a.expiresAt) });
  if (a.daysRemaining !== undefined) {
    const passed = date === 'Expires' ? 'expired' : 'passed';
    facts.push({ title: 'Days left', value: a.daysRemaining < 0 && a.expiresAt !== undefined ? `${passed} ${describeExpiry(a.expiresAt, event.occurredAt)}` : String(a.daysRemaining) });
  }
  if (a.lastSyncAt !== undefined) facts.push({ title: 'Last sync (UTC)', value: utcText(a.lastSyncAt) });
  const ack = event.acknowledgement;
  if (ack) facts.push({ title: 'Acknowledged', value: `${ACK_STATUS[ack.status]}: by ${ack.by} until ${utcText(ack.until)} — ${ack.reason}` });
  return facts;
}

/** Shortens text to at most `max` UTF-16 units, marking the cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate without its pair
  return `${text.slice(0, end)}…`;
}

// C0/C1 controls, DEL, the Unicode line and paragraph separators, and the bidi overrides that can
// reorder what a reader sees.
// eslint-disable-next-line no-control-regex
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Text on one line: line breaks and other control characters become one space (for markup channels). */
export function oneLine(text: string): string {
  return text.replace(BREAKING, ' ');
}

/**
 * How long Graph text may be in a human channel. A name or Apple ID is far shorter in real life;
 * these caps keep a hostile 20,000-character name from filling a card (Teams: 28 KB in all).
 */
export interface TextLimits {
  /** A name, Apple ID, topic, serial number or tenant name. */
  value: number;
  title: number;
  summary: number;
  /** Each next step, and how many steps. */
  step: number;
  steps: number;
}

export const TEXT_LIMITS: Readonly<TextLimits> = { value: 256, title: 400, summary: 2000, step: 1000, steps: 10 };

/**
 * The event with every Graph-sourced value cut to `TEXT_LIMITS`. A long value is also replaced by
 * its cut form inside the title, summary and steps, so "WARNING: <name> expires in 5 days" keeps
 * its "expires in 5 days" instead of ending inside the name. The key and the findings are kept.
 */
export function clampEvent(event: AlertEvent, limits: Readonly<TextLimits> = TEXT_LIMITS): AlertEvent {
  const replaced: [string, string][] = [];
  const clamp = (value: string): string => {
    const short = truncate(value, limits.value);
    if (short !== value) replaced.push([value, short]);
    return short;
  };
  const asset = { ...event.asset, name: clamp(event.asset.name) };
  if (asset.appleId !== undefined) asset.appleId = clamp(asset.appleId);
  if (asset.topic !== undefined) asset.topic = clamp(asset.topic);
  if (asset.serialNumber !== undefined) asset.serialNumber = clamp(asset.serialNumber);
  const tenantName = clamp(event.tenantName);
  const tenantId = clamp(event.tenantId);
  replaced.sort((a, b) => b[0].length - a[0].length); // a long value that contains another goes first
  const shorten = (text: string, max: number) => truncate(replaced.reduce((t, [long, short]) => t.split(long).join(short), text), max);
  return {
    ...event,
    tenantId,
    tenantName,
    asset,
    title: shorten(event.title, limits.title),
    summary: shorten(event.summary, limits.summary),
    nextSteps: event.nextSteps.slice(0, limits.steps).map((s) => shorten(s, limits.step)),
  };
}
