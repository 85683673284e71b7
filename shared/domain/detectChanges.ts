import { alertKey, type EpochMs } from './assets';
import type { TenantSnapshot } from './snapshot';
import { assetOf, linksFor, type AlertEvent } from './alertEvent';
import type { Assessment } from './assessment';
import type { ApnsLastSeen } from './tenantState';

/** Key suffixes of the one-shot change alerts (they never auto-resolve: a person must look). */
export const TOPIC_CHANGED = 'topic-changed';
export const APPLE_ID_CHANGED = 'apple-id-changed';

/**
 * Compares the APNs certificate read now with the one seen on the previous run. A different topic
 * means a new certificate replaced the renewed one: devices enrolled under the old topic are
 * unreachable (critical). A different Apple ID means the next renewal needs another account (warning).
 */
export function detectApnsChanges(
  previous: ApnsLastSeen | undefined,
  snapshot: TenantSnapshot,
  assessments: readonly Assessment[],
  now: EpochMs,
  newId: () => string,
  tenantName: string,
): AlertEvent[] {
  if (!previous || snapshot.apns.status !== 'ok') return [];
  const cert = snapshot.apns.value;
  const current = assessments.find((a) => a.kind === 'apns' && a.assetId === cert.topicIdentifier);
  if (!current) return [];
  const asset = assetOf(current);
  const events: AlertEvent[] = [];
  if (cert.topicIdentifier !== previous.topic) {
    events.push({
      id: newId(),
      type: 'changed',
      key: alertKey(snapshot.tenantId, 'apns', `${cert.topicIdentifier}/${TOPIC_CHANGED}`),
      tenantId: snapshot.tenantId,
      tenantName,
      severity: 'critical',
      occurredAt: now,
      asset,
      title: 'CRITICAL: The APNs certificate topic changed — devices enrolled under the old topic are unreachable',
      summary:
        `Intune's Apple MDM push certificate now has topic ${cert.topicIdentifier} (was ${previous.topic}). ` +
        'A new certificate was uploaded instead of a renewal: every device enrolled under the old topic must be re-enrolled.',
      findings: [],
      nextSteps: [
        `If this was a mistake and the old certificate is still valid or within its grace period, renew the certificate with topic ${previous.topic} in the Apple Push Certificates Portal signed in as ${previous.appleId} and upload it again.`,
        'Otherwise plan the re-enrollment of every Apple device enrolled before the change.',
      ],
      links: linksFor(asset),
    });
  }
  if (cert.appleIdentifier !== previous.appleId) {
    events.push({
      id: newId(),
      type: 'changed',
      key: alertKey(snapshot.tenantId, 'apns', `${cert.topicIdentifier}/${APPLE_ID_CHANGED}`),
      tenantId: snapshot.tenantId,
      tenantName,
      severity: 'warning',
      occurredAt: now,
      asset,
      title: 'WARNING: The Apple ID of the APNs certificate changed',
      summary:
        `Intune now records the Apple ID ${cert.appleIdentifier} for the Apple MDM push certificate (was ${previous.appleId}). ` +
        'A renewal only works signed in as the Apple ID that created the certificate.',
      findings: [],
      nextSteps: [`Confirm that ${cert.appleIdentifier} is the Apple ID that owns topic ${cert.topicIdentifier}, and that its owner can still sign in.`],
      links: linksFor(asset),
    });
  }
  return events;
}

export function lastSeenOf(snapshot: TenantSnapshot, previous: ApnsLastSeen | undefined): ApnsLastSeen | undefined {
  if (snapshot.apns.status !== 'ok') return previous;
  const cert = snapshot.apns.value;
  return {
    topic: cert.topicIdentifier,
    appleId: cert.appleIdentifier,
    serialNumber: cert.certificateSerialNumber,
    expiresAt: cert.expirationDateTime,
  };
}
