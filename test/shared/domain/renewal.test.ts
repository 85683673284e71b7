import type { ApnsCertificate } from '../../../shared/domain/snapshot';
import { AppError } from '../../../shared/domain/errors';
import { checkAgainstIntune, checkCandidate, parseRenewalRequest, verifyUpload, type CandidateCertificate, type CheckLine } from '../../../shared/domain/renewal';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);
const TOPIC = 'com.apple.mgmt.External.abc';
const current: ApnsCertificate = { topicIdentifier: TOPIC, appleIdentifier: 'mdm@contoso.com', expirationDateTime: NOW + 20 * DAY, certificateSerialNumber: 'AA01' };
const candidate = (over: Partial<CandidateCertificate> = {}): CandidateCertificate => ({
  subjectUid: TOPIC,
  subject: `UID=${TOPIC}, CN=APSP:abc, C=US`,
  serialNumber: 'BB02',
  notBefore: NOW - DAY,
  notAfter: NOW + 385 * DAY,
  pem: '-----BEGIN CERTIFICATE-----\n…',
  ...over,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'passed';
};

describe('parseRenewalRequest (step 1)', () => {
  test.each([
    ['empty', undefined],
    ['JSON null', null],
  ])('when the body is %s, it is invalid_request (never a renewal with the defaults)', (_what, body) => {
    expect(() => parseRenewalRequest(body)).toThrow(expect.objectContaining({ code: 'invalid_request', message: expect.stringContaining('must be a JSON object') }));
  });

  test('when the body is {} or the documented shape, it is accepted', () => {
    expect(parseRenewalRequest({})).toEqual({});
    expect(parseRenewalRequest({ tenantId: 'contoso.onmicrosoft.com' })).toEqual({ tenantId: 'contoso.onmicrosoft.com' });
    expect(parseRenewalRequest({ secretName: 'apns-2027', secretVersion: 'abc123', appleIdentifier: 'mdm@contoso.com', dryRun: true, allowNewTopic: false })).toEqual({
      secretName: 'apns-2027',
      secretVersion: 'abc123',
      appleIdentifier: 'mdm@contoso.com',
      dryRun: true,
      allowNewTopic: false,
    });
  });

  test.each([
    ['an array', []],
    ['a string', 'renew'],
    ['an unknown field', { secretName: 'x', force: true }],
    ['a bad secret name', { secretName: 'apns_cert' }],
    ['a secret name too long', { secretName: 'a'.repeat(128) }],
    ['dryRun as text', { dryRun: 'yes' }],
    ['a version with a slash', { secretVersion: 'a/b' }],
  ])('when the body is %s, it is invalid_request', (_what, body) => {
    expect(codeOf(() => parseRenewalRequest(body))).toBe('invalid_request');
  });

  test('when fields are unknown, the message names them', () => {
    expect(() => parseRenewalRequest({ force: 1, certificate: 'x' })).toThrow('unknown fields "force", "certificate"');
  });
});

describe('renewal checks (steps 4–9, 13)', () => {
  test.each([
    ['a subject without UID', candidate({ subjectUid: undefined }), 'not_an_apns_certificate'],
    ['a UID that is not an MDM topic', candidate({ subjectUid: 'com.example.thing' }), 'not_an_apns_certificate'],
    ['an expired certificate', candidate({ notAfter: NOW - 1 }), 'certificate_expired'],
    ['a certificate valid only tomorrow', candidate({ notBefore: NOW + DAY }), 'certificate_not_yet_valid'],
    ['a good one', candidate(), 'passed'],
  ])('when the candidate is %s, steps 4–5 answer %s', (_what, c, code) => {
    expect(codeOf(() => checkCandidate(c, NOW, []))).toBe(code);
  });

  test.each([
    ['another topic', candidate({ subjectUid: 'com.apple.mgmt.External.other' }), {}, 'topic_mismatch'],
    ['another topic, allowed', candidate({ subjectUid: 'com.apple.mgmt.External.other' }), { allowNewTopic: true }, 'upload'],
    ['another Apple ID given', candidate(), { appleIdentifier: 'someone@else.com' }, 'apple_id_mismatch'],
    ['the same Apple ID in other case', candidate(), { appleIdentifier: 'MDM@contoso.com' }, 'upload'],
    ['the same serial', candidate({ serialNumber: 'AA01' }), {}, 'already_current'],
    ['an earlier expiry', candidate({ notAfter: NOW + 10 * DAY }), {}, 'not_newer'],
    ['the same expiry', candidate({ notAfter: NOW + 20 * DAY }), {}, 'not_newer'],
    ['a renewal', candidate(), {}, 'upload'],
  ])('when Intune has a certificate and the candidate has %s, it answers %s', (_what, c, request, expected) => {
    let decision: string;
    try {
      decision = checkAgainstIntune(c, current, request, []);
    } catch (error) {
      decision = (error as AppError).code;
    }
    expect(decision).toBe(expected);
  });

  test('when Intune has no certificate, it is refused as a new topic unless allowed (with an Apple ID given)', () => {
    expect(codeOf(() => checkAgainstIntune(candidate(), null, {}, []))).toBe('topic_mismatch');
    expect(codeOf(() => checkAgainstIntune(candidate(), null, { allowNewTopic: true }, []))).toBe('apple_id_mismatch');
    expect(checkAgainstIntune(candidate(), null, { allowNewTopic: true, appleIdentifier: 'mdm@contoso.com' }, [])).toBe('upload');
  });

  test('when the topic differs, the refusal says it would force re-enrollment and how to renew instead', () => {
    const lines: CheckLine[] = [];
    try {
      checkAgainstIntune(candidate({ subjectUid: 'com.apple.mgmt.External.other' }), current, {}, lines);
    } catch (error) {
      expect((error as AppError).message).toMatch(/not a renewal\. Uploading it would force every device to re-enroll/);
      expect((error as AppError).hint).toBe(`Renew the certificate with topic ${TOPIC} in the Apple Push Certificates Portal signed in as mdm@contoso.com.`);
    }
    expect(lines.at(-1)).toMatchObject({ step: 6, ok: false });
  });

  test('when Intune shows the uploaded serial and expiry, verification passes; otherwise verification_failed', () => {
    const c = candidate();
    expect(codeOf(() => verifyUpload(c, { ...current, certificateSerialNumber: 'bb02', expirationDateTime: c.notAfter }, []))).toBe('passed');
    expect(codeOf(() => verifyUpload(c, current, []))).toBe('verification_failed');
    expect(codeOf(() => verifyUpload(c, { ...current, certificateSerialNumber: 'BB02' }, []))).toBe('verification_failed');
    expect(codeOf(() => verifyUpload(c, null, []))).toBe('verification_failed');
  });
});
