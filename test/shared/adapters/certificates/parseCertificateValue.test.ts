import { parseCertificateValue } from '../../../../shared/adapters/certificates/parseCertificateValue';
import { AppError } from '../../../../shared/domain/errors';
import { createAppleCertificate, createTestCa, toPkcs12Base64 } from '../../../../shared/simulator/certificates';

const apple = createAppleCertificate({ uuid: '11111111-2222-3333-4444-555555555555', notBefore: new Date('2026-11-01T00:00:00Z'), notAfter: new Date('2027-11-01T00:00:00Z') });

const refusal = (value: string, contentType?: string) => {
  try {
    parseCertificateValue(value, contentType);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('parseCertificateValue', () => {
  test('when the value is the PEM from the Apple portal, it reads topic, serial and validity', () => {
    const c = parseCertificateValue(apple.certPem, undefined);
    expect(c).toMatchObject({
      subjectUid: 'com.apple.mgmt.External.11111111-2222-3333-4444-555555555555',
      serialNumber: apple.serialNumber,
      notBefore: Date.parse('2026-11-01T00:00:00Z'),
      notAfter: Date.parse('2027-11-01T00:00:00Z'),
    });
    expect(c.subject).toMatch(/CN=APSP:11111111-2222-3333-4444-555555555555/);
    expect(c.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  test('when the PEM comes with its chain and a private key, the leaf is taken and the key is dropped', () => {
    const ca = createTestCa('Some CA');
    const c = parseCertificateValue(`${apple.keyPem}\n${ca.certPem}\n${apple.certPem}`, 'application/x-pem-file');
    expect(c.serialNumber).toBe(apple.serialNumber);
    expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY/);
  });

  test('when the value is base64 DER, it is read the same', () => {
    expect(parseCertificateValue(apple.derBase64, undefined).serialNumber).toBe(apple.serialNumber);
  });

  test('when the value is base64 PKCS#12 as Key Vault stores it, the leaf is taken and the key dropped', () => {
    const ca = createTestCa('Chain CA');
    const p12 = toPkcs12Base64(apple, { chain: [ca.certPem] });
    const c = parseCertificateValue(p12, 'application/x-pkcs12');
    expect(c.serialNumber).toBe(apple.serialNumber);
    expect(c.subjectUid).toBe(apple.topic);
    expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY/);
  });

  test('when a PKCS#12 is stored without its content type, it is still recognised', () => {
    expect(parseCertificateValue(toPkcs12Base64(apple), undefined).serialNumber).toBe(apple.serialNumber);
  });

  test('when a PKCS#12 has a password, it is refused as unreadable (Key Vault exports without one)', () => {
    expect(refusal(toPkcs12Base64(apple, { password: 'pw' }), 'application/x-pkcs12').code).toBe('certificate_unreadable');
  });

  test.each([
    ['empty', ''],
    ['text', 'hello, this is not a certificate'],
    ['a private key alone', apple.keyPem],
    ['base64 of garbage', Buffer.from('garbage garbage garbage').toString('base64')],
    ['a broken PEM', apple.certPem.replace(/[A-Z]{10}/, '!!!!!!!!!!')],
  ])('when the value is %s, it is certificate_unreadable and the message does not quote it', (_what, value) => {
    const error = refusal(value);
    expect(error.code).toBe('certificate_unreadable');
    if (value.length > 20) expect(error.message).not.toContain(value.slice(0, 20));
    expect(error.message).not.toMatch(/PRIVATE KEY|BEGIN/);
  });
});
