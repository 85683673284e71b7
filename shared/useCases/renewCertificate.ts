import type { AlertEvent } from '../domain/alertEvent';
import { describeTenant } from '../domain/describeTenant';
import type { EpochMs } from '../domain/assets';
import type { ApnsCertificate } from '../domain/snapshot';
import { AppError, toAppError } from '../domain/errors';
import { formatUtc } from '../domain/graphDateTime';
import {
  checkAgainstIntune,
  checkCandidate,
  verifyUpload,
  type CandidateCertificate,
  type CheckLine,
  type RenewalRequest,
} from '../domain/renewal';
import { buildNewTopicEvent, buildRenewedEvent, buildUnverifiedUploadEvent } from '../domain/renewalEvents';
import type { AuditCertificate, AuditEntry, AuditLog, RenewalVia } from '../ports/auditLog';
import type { Clock } from '../ports/clock';
import type { IntuneGateway } from '../ports/intuneGateway';
import type { Logger } from '../ports/logger';
import type { RenewalLock } from '../ports/renewalLock';
import type { RenewedCertificateSource } from '../ports/renewedCertificateSource';
import type { ChannelReport } from './deliverAll';

export interface RenewDeps {
  gateway: IntuneGateway;
  source: RenewedCertificateSource;
  /** Step 3 (an adapter: node:crypto X509Certificate, node-forge for PKCS#12); `kind` words its refusals. */
  parseCertificate: (value: string, contentType: string | undefined, options?: { kind?: 'secret' | 'file'; password?: string }) => CandidateCertificate;
  lock: RenewalLock;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  /** The monitoring run with extra one-shot messages: the same notifier path as the timer. */
  runCheck: (extraEvents: AlertEvent[]) => Promise<{ channels: ChannelReport[]; deliveryFailed: boolean }>;
}

export interface RenewOptions {
  tenantId: string;
  tenantName: string;
  /** Used when the request names none: `APNS_CERT_SECRET_NAME`, or `<it>-<tenantId>` in a fleet. */
  defaultSecretName: string;
  /**
   * `APNS_CERT_SECRET_NAME`: a request may name only this secret or one starting with `<it>-`, so a
   * caller can never make the renewal read the channel secrets kept in the same vault (SPEC §9).
   */
  secretPrefix: string;
  /**
   * In a fleet: the one secret this tenant's renewal may read (`<prefix>-<tenantId>`), so a renewal
   * for tenant A never uploads tenant B's certificate into A, even with `allowNewTopic`.
   */
  tenantSecretName?: string;
  /**
   * The renewal lock's lease (default 5 min). It must outlast the upload (one PATCH try is bounded
   * by APNS_HTTP_TIMEOUT_SECONDS); it is extended right before the PATCH (the fence).
   */
  lockTtlMs?: number;
  actor: string;
  via: RenewalVia;
  correlationId: string;
  /** An approval (SPEC §16): the proposal it approves and who proposed it, for the audit and the message. */
  proposal?: { id: string; proposedBy: string };
}

export type RenewalSuccessCode = 'renewed' | 'already_current' | 'valid';

export type RenewalResult =
  | {
      ok: true;
      code: RenewalSuccessCode;
      message: string;
      checks: CheckLine[];
      before: AuditCertificate | null;
      after: AuditCertificate | null;
      /** The secret version the checks read (null for a file). */
      secretVersion: string | null;
      /** What the channels did with the `renewed` message (a channel failure does not undo a renewal). */
      notifications: ChannelReport[];
    }
  | {
      ok: false;
      error: AppError;
      checks: CheckLine[];
      /** Intune's certificate, when it was read before the refusal. */
      before: AuditCertificate | null;
      /** The stored certificate, when it was readable. */
      candidate: AuditCertificate | null;
      /** The secret version read, when the secret was. */
      secretVersion: string | null;
    };

const LOCK_TTL_MS = 5 * 60_000; // far longer than a renewal (seconds); a crashed holder frees it after this

/** Step 1 (the part that needs the configuration): only the certificate secrets — in a fleet, only this tenant's — may be read. */
function checkSecretName(name: string, options: RenewOptions): void {
  const prefix = options.secretPrefix;
  const own = options.tenantSecretName;
  if (own !== undefined) {
    // Key Vault names are case-insensitive.
    if (name.toLowerCase() === own.toLowerCase()) return;
    throw new AppError(
      'invalid_request',
      `The renewal request is invalid: in a fleet, the renewal of tenant ${describeTenant(options.tenantId, options.tenantName)} reads only its own secret "${own}" (<APNS_CERT_SECRET_NAME>-<tenant ID>), not "${name}".`,
      { hint: 'Leave the secret name out (--secret, secretName): it defaults to that one. Or renew the tenant the secret belongs to.' },
    );
  }
  if (name === prefix || name.startsWith(`${prefix}-`)) return;
  throw new AppError(
    'invalid_request',
    `The renewal request is invalid: secretName must be "${prefix}" or start with "${prefix}-" (APNS_CERT_SECRET_NAME); the renewal never reads other secrets of the vault.`,
  );
}

const STEP_NAMES: Record<number, string> = {
  1: 'request',
  2: 'secret',
  3: 'certificate readable',
  4: 'APNs certificate',
  5: 'valid now',
  6: 'read Intune',
  10: 'no other renewal',
  12: 'upload',
  13: 'verified in Intune',
};

function describeCert(cert: ApnsCertificate | null): AuditCertificate | null {
  if (!cert) return null;
  return { serialNumber: cert.certificateSerialNumber, expiresAt: formatUtc(cert.expirationDateTime), topic: cert.topicIdentifier, appleId: cert.appleIdentifier };
}

function describeCandidate(c: CandidateCertificate): AuditCertificate {
  return { serialNumber: c.serialNumber, expiresAt: formatUtc(c.notAfter), topic: c.subjectUid ?? '' };
}

/**
 * The guarded renewal of SPEC §5: every step in order, each refusal with its stable code and
 * nothing changed in Intune; a lock so two renewals never overlap; the upload verified by
 * re-reading Intune; every attempt audited; success announced on every channel.
 * `request` is the parsed body, or the AppError of a body that failed step 1 (audited too).
 */
export async function renewCertificate(deps: RenewDeps, request: RenewalRequest | AppError, options: RenewOptions): Promise<RenewalResult> {
  const checks: CheckLine[] = [];
  const now: EpochMs = deps.clock.now();
  const req: RenewalRequest = request instanceof AppError ? {} : request;
  const secretName = req.secretName ?? options.defaultSecretName;
  // `renew --file`: the checks speak of the file, not of a Key Vault secret.
  const file = deps.source.kind === 'file';
  let step = 1;
  let secretVersion: string | null = req.secretVersion ?? null;
  let before: ApnsCertificate | null = null;
  let candidate: CandidateCertificate | undefined;

  const audit = async (outcome: string, message: string, after: AuditCertificate | null) => {
    const entry: AuditEntry = {
      id: deps.newId(),
      at: now,
      tenantId: options.tenantId,
      actor: options.actor,
      via: options.via,
      secretName,
      secretVersion,
      dryRun: req.dryRun === true,
      allowNewTopic: req.allowNewTopic === true,
      outcome,
      message,
      old: describeCert(before),
      new: after,
      correlationId: options.correlationId,
      ...(options.proposal ? { proposalId: options.proposal.id, proposedBy: options.proposal.proposedBy } : {}),
    };
    try {
      await deps.audit.record(entry);
    } catch (error) {
      // The attempt already happened; losing its record must be loud, not fatal.
      deps.logger.error(`The renewal audit record could not be written: ${toAppError(error).message}`, { correlationId: options.correlationId, outcome });
    }
  };

  try {
    if (request instanceof AppError) throw request;
    if (req.secretName !== undefined) checkSecretName(secretName, options);
    const what = file ? deps.source.location : `secret ${secretName}${req.secretVersion ? ` version ${req.secretVersion}` : ''}`;
    checks.push({ step: 1, check: 'request', ok: true, detail: `${what}${req.dryRun ? ', dry run' : ''}${req.allowNewTopic ? ', allowNewTopic' : ''}` });

    step = 2;
    const secret = await deps.source.fetch(secretName, req.secretVersion);
    secretVersion = secret.version || secretVersion;
    const type = secret.contentType ? `, ${secret.contentType}` : '';
    checks.push(file ? { step: 2, check: 'file', ok: true, detail: `${secret.name}, sha-256 ${secret.version}…${type}` } : { step: 2, check: 'secret', ok: true, detail: `${secretName} version ${secret.version}, enabled${type}` });

    step = 3;
    candidate = deps.parseCertificate(secret.value, secret.contentType, { kind: file ? 'file' : 'secret', ...(secret.password === undefined ? {} : { password: secret.password }) });
    checks.push({ step: 3, check: 'certificate readable', ok: true, detail: `serial ${candidate.serialNumber}` });

    step = 4;
    checkCandidate(candidate, now, checks);

    step = 6;
    before = await deps.gateway.getApnsCertificate();
    let decision = checkAgainstIntune(candidate, before, req, checks);
    if (decision === 'already_current') return await succeed('already_current', `Intune already has this certificate (serial ${candidate.serialNumber}); nothing to do.`, describeCert(before), []);

    if (req.dryRun) {
      // SPEC §9: a dry run changes nothing, so it takes no lock: any number run at once, and none
      // ever makes a real renewal wait or refuses it.
      checks.push({ step: 10, check: 'no other renewal', ok: true, detail: 'not needed: a dry run takes no lock' });
      checks.push({ step: 11, check: 'dry run', ok: true, detail: 'stopped before the upload' });
      return await succeed('valid', `The certificate passed every check; a renewal would upload serial ${candidate.serialNumber} (expires ${formatUtc(candidate.notAfter)}). Nothing was uploaded (dry run).`, describeCandidate(candidate), []);
    }

    step = 10;
    const ttl = options.lockTtlMs ?? LOCK_TTL_MS;
    const lease = await deps.lock.acquire(options.tenantId, options.correlationId, ttl);
    checks.push({ step: 10, check: 'no other renewal', ok: true, detail: 'lock taken' });
    let after: ApnsCertificate | null;
    let keepLock = false;
    try {
      // Under the lock, decide again on a fresh read: another renewal may have just finished.
      before = await deps.gateway.getApnsCertificate();
      decision = checkAgainstIntune(candidate, before, req, []);
      if (decision === 'already_current') return await succeed('already_current', `Intune already has this certificate (serial ${candidate.serialNumber}); nothing to do.`, describeCert(before), []);

      step = 12;
      const newTopic = !before || before.topicIdentifier !== candidate.subjectUid;
      if (newTopic) deps.logger.warn(`Uploading a certificate with a NEW topic ${candidate.subjectUid} (allowNewTopic) by ${options.actor}.`, { correlationId: options.correlationId });
      const appleIdentifier = before?.appleIdentifier || req.appleIdentifier || '';
      // The fence: this renewal must still hold its lease right before the PATCH. A renewal that
      // outlived it (and was overtaken) uploads nothing, so an older certificate is never put back.
      const fencedUntil = await lease.extend(ttl);
      try {
        await deps.gateway.uploadApnsCertificate({ appleIdentifier, certificatePem: candidate.pem });
      } catch (error) {
        if (error instanceof AppError && error.code === 'upload_failed' && error.retriable) {
          // No answer: Intune may still apply it. Keep the lock for a full lease from now, so no
          // other renewal can upload in between and be overwritten by this one arriving late; the
          // lease binds even after this process exits (the CLI's lock file says so).
          keepLock = true;
          // (If it cannot be extended, the lease taken at the fence still binds until its end.)
          const until = await lease.extend(ttl).catch(() => fencedUntil);
          throw new AppError('upload_failed', `${error.message} The renewal lock is kept until ${formatUtc(until)} so that no other renewal races it.`, {
            hint: 'Check the certificate in the Intune admin center (or run "apns-monitor check") after that time before trying again.',
            cause: error,
          });
        }
        throw error;
      }
      checks.push({ step: 12, check: 'upload', ok: true, detail: 'PATCH accepted by Intune' });

      step = 13;
      after = await deps.gateway.getApnsCertificate();
      verifyUpload(candidate, after, checks);
    } finally {
      if (!keepLock) await lease.release().catch((error: unknown) => deps.logger.warn(`The renewal lock could not be released; it expires by itself: ${toAppError(error).message}`));
    }

    const verified = after as ApnsCertificate;
    // An approval names both people: who approved the upload, and who (or which event) proposed it.
    const actor = options.proposal ? `${options.actor} (approving proposal ${options.proposal.id} by ${options.proposal.proposedBy})` : options.actor;
    const events: AlertEvent[] = [buildRenewedEvent({ id: deps.newId(), tenantId: options.tenantId, tenantName: options.tenantName, before, after: verified, actor, now })];
    if (!before || before.topicIdentifier !== verified.topicIdentifier) {
      events.push(buildNewTopicEvent({ id: deps.newId(), tenantId: options.tenantId, tenantName: options.tenantName, before, after: verified, actor: options.actor, now }));
    }
    const message = `Renewed: the certificate now expires ${formatUtc(verified.expirationDateTime)}${before ? ` (was ${formatUtc(before.expirationDateTime)})` : ''}; serial ${verified.certificateSerialNumber}.`;
    return await succeed('renewed', message, describeCert(verified), events);
  } catch (thrown) {
    const error = toAppError(thrown);
    if (!checks.some((c) => !c.ok)) checks.push({ step, check: (step === 2 && file ? 'file' : STEP_NAMES[step]) ?? 'check', ok: false, detail: error.message });
    if (error.code === 'internal_error') {
      deps.logger.error(`Renewal failed unexpectedly (correlation id ${options.correlationId}): ${String((error.cause as Error)?.message ?? error.cause)}`);
    } else {
      deps.logger.warn(`Renewal refused (${error.code}): ${error.message}`, { correlationId: options.correlationId });
    }
    await audit(error.code, error.message, candidate ? describeCandidate(candidate) : null);
    if (error.code === 'verification_failed' && candidate) {
      const seen = await deps.gateway.getApnsCertificate().catch(() => null);
      const event = buildUnverifiedUploadEvent({ id: deps.newId(), tenantId: options.tenantId, tenantName: options.tenantName, topic: candidate.subjectUid ?? '', expected: candidate, seen, now });
      await notify([event]);
    }
    return { ok: false, error, checks, before: describeCert(before), candidate: candidate ? describeCandidate(candidate) : null, secretVersion: file ? null : secretVersion };
  }

  async function notify(events: AlertEvent[]): Promise<ChannelReport[]> {
    return announce(deps, events, 'the next monitoring run reports the new expiry');
  }

  async function succeed(code: RenewalSuccessCode, message: string, after: AuditCertificate | null, events: AlertEvent[]): Promise<RenewalResult> {
    deps.logger.info(message, { correlationId: options.correlationId, outcome: code });
    await audit(code, message, after);
    const notifications = await notify(events);
    return { ok: true, code, message, checks, before: describeCert(before), after, secretVersion: file ? null : secretVersion, notifications };
  }
}

/**
 * Sends one-shot messages (a renewal's, a proposal's) through the monitoring run, the same notifier
 * path as the timer: they go through its outbox, so a channel that refused one gets it on the next
 * run. A failure here is loud, never fatal: what was done is done.
 */
export async function announce(deps: Pick<RenewDeps, 'runCheck' | 'logger'>, events: AlertEvent[], otherwise: string): Promise<ChannelReport[]> {
  if (events.length === 0) return [];
  try {
    const report = await deps.runCheck(events);
    if (report.deliveryFailed) deps.logger.warn('Some channels refused the messages; they are retried on the next monitoring run.');
    return report.channels;
  } catch (error) {
    deps.logger.error(`The messages could not be sent now (${toAppError(error).message}); ${otherwise}.`);
    return [];
  }
}

/** Exit code of `apns-monitor renew`: 0 success, 1 refusal, 3 failure. */
export function renewalExitCode(result: RenewalResult): number {
  return result.ok ? 0 : result.error.exitCode;
}
