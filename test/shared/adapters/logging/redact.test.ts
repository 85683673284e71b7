import { createRedactor } from '../../../../shared/adapters/logging/redact';

describe('createRedactor', () => {
  const redact = createRedactor(['R0123456789ABCDEF0123456789ABCDE', 'https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGNATURE123']);

  test('when a configured secret appears, it is masked whole', () => {
    expect(redact('routing key R0123456789ABCDEF0123456789ABCDE refused')).toBe('routing key [redacted] refused');
    expect(redact('posting to https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGNATURE123 failed')).toBe('posting to [redacted] failed');
  });

  test.each([
    ['a bearer token', 'Authorization: Bearer abcdefghijklmnop.qrstu', 'Authorization: Bearer [redacted]'],
    ['a JWT', 'token eyJhbGciOi.eyJhdWQiOiJ4In0.c2ln here', 'token [redacted-token] here'],
    ['a sig= query', 'https://x.example/hook?a=1&sig=abc%2Fdef', 'https://x.example/hook?a=1&sig=[redacted]'],
    ['a webhook secret', 'secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=', 'secret whsec_[redacted]'],
    ['an account key', 'AccountName=a;AccountKey=Eby8vdM02x==;TableEndpoint=x', 'AccountName=a;AccountKey=[redacted];TableEndpoint=x'],
    ['a private key', 'k -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end', 'k [redacted-private-key] end'],
    ['a certificate body', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----', '[certificate]'],
  ])('when a line holds %s, the pattern is masked', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});
