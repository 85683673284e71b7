import { alertKey, type ApnsCertificate, type EpochMs } from './assets';
import { linksFor, type AlertEvent } from './alertEvent';
import { daysRemaining, describeExpiry } from './assessExpiry';
import { formatUtc } from './graphDateTime';

/** The `renewed` message every channel gets; on the APNs key, so it also resolves open alerts. */
export function buildRenewedEvent(input: { id: string; tenantId: string; tenantName: string; before: ApnsCertificate | null; after: ApnsCertificate; actor: string; now: EpochMs }): AlertEvent {
  const { after, before } = input;
  const days = daysRemaining(after.expirationDateTime, input.now);
  const asset = {
    kind: 'apns' as const,
    assetId: after.topicIdentifier,
    name: 'Apple MDM push certificate',
    appleId: after.appleIdentifier,
    topic: after.topicIdentifier,
    serialNumber: after.certificateSerialNumber,
    expiresAt: after.expirationDateTime,
    daysRemaining: days,
  };
  const was = before ? ` (was ${formatUtc(before.expirationDateTime)})` : '';
  return {
    id: input.id,
    type: 'renewed',
    key: alertKey(input.tenantId, 'apns', after.topicIdentifier),
    tenantId: input.tenantId,
    tenantName: input.tenantName,
    severity: 'ok',
    occurredAt: input.now,
    asset,
    title: `RENEWED: Apple MDM push certificate now expires ${describeExpiry(after.expirationDateTime, input.now)} (${formatUtc(after.expirationDateTime).slice(0, 10)})`,
    summary: `The renewed Apple MDM push certificate was uploaded to Intune by ${input.actor} and verified: serial ${after.certificateSerialNumber}, expires ${formatUtc(after.expirationDateTime)}${was}.`,
    findings: [],
    nextSteps: [],
    links: linksFor(asset),
  };
}

/** A critical alert when Intune does not show what was uploaded (step 13 failed). */
export function buildUnverifiedUploadEvent(input: { id: string; tenantId: string; tenantName: string; topic: string; expected: { serialNumber: string; notAfter: EpochMs }; seen: ApnsCertificate | null; now: EpochMs }): AlertEvent {
  const asset = { kind: 'apns' as const, assetId: input.topic, name: 'Apple MDM push certificate', topic: input.topic };
  const seen = input.seen ? `serial ${input.seen.certificateSerialNumber}, expiry ${formatUtc(input.seen.expirationDateTime)}` : 'no certificate';
  return {
    id: input.id,
    type: 'alert',
    key: alertKey(input.tenantId, 'apns', `${input.topic}/upload-unverified`),
    tenantId: input.tenantId,
    tenantName: input.tenantName,
    severity: 'critical',
    occurredAt: input.now,
    asset,
    title: 'CRITICAL: The renewed APNs certificate was uploaded but Intune does not show it',
    summary: `Intune accepted the upload of serial ${input.expected.serialNumber} (expires ${formatUtc(input.expected.notAfter)}) but still shows ${seen}.`,
    findings: [],
    nextSteps: ['Open the Apple MDM push certificate in the Intune admin center and check it; if it is unchanged, upload the renewed .pem there by hand, signed in with the same Apple ID.'],
    links: linksFor(asset),
  };
}

/** A critical alert when a certificate with a new topic was uploaded on purpose (allowNewTopic). */
export function buildNewTopicEvent(input: { id: string; tenantId: string; tenantName: string; before: ApnsCertificate | null; after: ApnsCertificate; actor: string; now: EpochMs }): AlertEvent {
  const { after, before } = input;
  const asset = { kind: 'apns' as const, assetId: after.topicIdentifier, name: 'Apple MDM push certificate', appleId: after.appleIdentifier, topic: after.topicIdentifier, expiresAt: after.expirationDateTime };
  return {
    id: input.id,
    type: 'changed',
    key: alertKey(input.tenantId, 'apns', `${after.topicIdentifier}/topic-changed`),
    tenantId: input.tenantId,
    tenantName: input.tenantName,
    severity: 'critical',
    occurredAt: input.now,
    asset,
    title: 'CRITICAL: A certificate with a NEW topic was uploaded (allowNewTopic)',
    summary: `${input.actor} uploaded a certificate with topic ${after.topicIdentifier}${before ? ` replacing ${before.topicIdentifier}` : ''}, with allowNewTopic set. Devices enrolled under the old topic can no longer be reached and must be re-enrolled.`,
    findings: [],
    nextSteps: ['Plan the re-enrollment of every Apple device enrolled under the old topic.'],
    links: linksFor(asset),
  };
}
