import { alertKey, type EpochMs } from './assets';
import type { ApnsCertificate } from './snapshot';
import { linksFor, type AlertEvent } from './alertEvent';
import { daysRemaining, describeExpiry } from './assessExpiry';
import { formatUtc } from './graphDateTime';
import type { RenewalProposal } from './renewalProposal';

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

/** Where a person approves a proposal: the status page's tenant view, when the page's address is known. */
export function proposalPageUrl(statusPageUrl: string | undefined, proposal: Pick<RenewalProposal, 'tenantId' | 'id'>): string | undefined {
  if (!statusPageUrl) return undefined;
  return `${statusPageUrl}?tenant=${encodeURIComponent(proposal.tenantId)}#proposal-${proposal.id}`;
}

/**
 * The message every channel gets when a certificate stored in Key Vault was dry-run (SPEC §16):
 * passed → "renewal ready — approve on the status page" with the serial and the link; refused →
 * why, in the words of §5, and "do not upload this". On the APNs key, so PagerDuty adds it to the
 * certificate's incident, and the `renewed` message after the approval resolves it.
 */
export function buildProposalEvent(input: { id: string; proposal: RenewalProposal; statusPageUrl: string | undefined; now: EpochMs }): AlertEvent {
  const p = input.proposal;
  const topic = p.intuneTopic ?? p.topic ?? '';
  const asset: AlertEvent['asset'] = { kind: 'apns', assetId: topic, name: 'Apple MDM push certificate', topic };
  if (p.appleId) asset.appleId = p.appleId;
  if (p.serialNumber) asset.serialNumber = p.serialNumber;
  if (p.oldExpiresAt !== null) {
    asset.expiresAt = p.oldExpiresAt;
    asset.daysRemaining = daysRemaining(p.oldExpiresAt, input.now);
  }
  const page = proposalPageUrl(input.statusPageUrl, p);
  const stored = `stored in Key Vault as ${p.secretName} (version ${p.secretVersion})`;
  const approveCli = `apns-monitor renewals approve ${p.id}`;
  const base = { id: input.id, type: 'proposal' as const, key: alertKey(p.tenantId, 'apns', topic), tenantId: p.tenantId, tenantName: p.tenantName, occurredAt: input.now, asset, findings: [] };
  const links = linksFor(asset);
  if (p.status === 'pending') {
    const expiry = p.newExpiresAt === null ? '' : `, expires ${formatUtc(p.newExpiresAt)}${p.oldExpiresAt === null ? '' : ` (now ${formatUtc(p.oldExpiresAt)})`}`;
    return {
      ...base,
      severity: 'notice',
      title: `Renewal ready — approve on the status page: certificate serial ${p.serialNumber ?? 'unknown'}`,
      summary: `The renewed Apple MDM push certificate ${stored} passed every renewal check (a dry run against Intune: same topic, same Apple ID, newer): serial ${p.serialNumber ?? 'unknown'}${expiry}. Nothing is uploaded until a person approves it. Proposal ${p.id}, proposed by ${p.proposedBy}; it lapses ${formatUtc(p.lapsesAt)}.`,
      nextSteps: [
        page ? `Approve it on the status page: ${page}` : `Approve it on the status page (Renewal proposals), or run: ${approveCli}`,
        ...(page ? [`Or from a terminal: ${approveCli}`] : []),
        ...(p.proposedByPerson ? [`Another person than ${p.proposedBy} must approve it.`] : []),
      ],
      links: page ? [{ title: 'Approve on the status page', url: page }, ...links] : links,
    };
  }
  const sameAppleId = p.appleId ? ` with the same Apple ID (${p.appleId})` : ' with the same Apple ID';
  const renewExisting =
    p.outcome === 'topic_mismatch'
      ? `Renew the existing certificate${p.intuneTopic ? ` (topic ${p.intuneTopic})` : ''} in the Apple Push Certificates Portal${sameAppleId}: choose Renew next to it, never Create a new one.`
      : p.hint;
  return {
    ...base,
    severity: 'warning',
    title: `Do not upload: the certificate ${stored} was refused (${p.outcome})`,
    summary: `${p.message} The certificate ${stored} will not be uploaded to Intune; proposal ${p.id} cannot be approved.`,
    nextSteps: [`Do not upload this certificate; renew the existing certificate${sameAppleId}.`, ...(renewExisting ? [renewExisting] : [])],
    links: page ? [{ title: 'Open the status page', url: page }, ...links] : links,
  };
}
