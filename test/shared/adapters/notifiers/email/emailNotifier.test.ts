import type { TokenCredential } from '@azure/identity';
import { createGraphClient } from '../../../../../shared/adapters/graph/createGraphClient';
import { createEmailNotifier } from '../../../../../shared/adapters/notifiers/email/emailNotifier';
import type { AppError } from '../../../../../shared/domain/errors';
import type { Notifier } from '../../../../../shared/ports/notifier';
import { startChannelReceivers, type ChannelReceivers } from '../../../../../shared/simulator/channelReceivers';
import { apnsEvent } from '../../../../fakes/events';
import { loopbackTls } from '../../../../support/loopbackTls';

// The e-mail channel through the real Graph client to a loopback `sendMail` that can refuse or hang.

const FROM = 'apns-monitor@contoso.com';
const TO = ['oncall@contoso.com', 'intune@contoso.com'];
const TIMEOUT_MS = 300;

/** A credential that hands out a fixed token: the receiver does not check it. */
const credential: TokenCredential = { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

let rx: ChannelReceivers;
let email: Notifier;

beforeAll(async () => {
  rx = await startChannelReceivers({ tls: loopbackTls() });
  email = createEmailNotifier({ from: FROM, to: TO, minSeverity: 'notice', timeoutMs: TIMEOUT_MS }, createGraphClient({ baseUrl: rx.urls.email, credential }));
});
afterAll(() => rx.close());
beforeEach(() => rx.clear());

async function refusalOf(sending: Promise<void>): Promise<AppError> {
  try {
    await sending;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('Graph accepted the mail');
}

describe('createEmailNotifier', () => {
  test('when Graph accepts, one HTML mail goes to every recipient with the bearer token', async () => {
    await email.send(apnsEvent(25));
    const sent = rx.of('email');
    expect(sent.map((r) => r.path)).toEqual([`/graph/v1.0/users/${encodeURIComponent(FROM)}/sendMail`]);
    expect(sent[0]?.headers.authorization).toBe('Bearer test-token');
    expect(sent[0]?.json).toMatchObject({ message: { body: { contentType: 'HTML' }, toRecipients: TO.map((address) => ({ emailAddress: { address } })) }, saveToSentItems: false });
  });

  test('when sendMail accepts the connection and never answers, the request is aborted after the configured timeout', async () => {
    rx.hangNext('email');
    const error = await refusalOf(email.send(apnsEvent(25)));
    expect({ code: error.code, retriable: error.retriable, message: error.message }).toEqual({
      code: 'delivery_failed',
      retriable: true,
      message: 'email: timed out after 0.3 s (Microsoft Graph sendMail did not answer; APNS_HTTP_TIMEOUT_SECONDS).',
    });
    // The client closed the request it gave up on: the receiver holds nothing any more.
    for (let i = 0; i < 200 && rx.hanging > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rx.hanging).toBe(0);
  });

  test('when sendMail answers 200 with a body that never ends, it stops reading after 1 MB with a clear error', async () => {
    rx.streamEndlesslyNext('email');
    const patient = createEmailNotifier({ from: FROM, to: TO, minSeverity: 'notice', timeoutMs: 20_000 }, createGraphClient({ baseUrl: rx.urls.email, credential }));
    const error = await refusalOf(patient.send(apnsEvent(25)));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'delivery_failed',
      message: 'email answered 200 with an answer longer than 1 MB; it was not read, and the delivery is not confirmed (sent again on the next run).',
    });
    for (let i = 0; i < 200 && rx.endless.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rx.endless.open).toBe(0);
  });

  test('when sendMail answers 410 Gone, it throws channel_gone naming the settings to change', async () => {
    rx.failNext('email', 410);
    const error = await refusalOf(email.send(apnsEvent(25)));
    expect({ code: error.code, retriable: error.retriable, message: error.message }).toEqual({
      code: 'channel_gone',
      retriable: false,
      message: 'email answered 410 Gone: the receiver no longer exists. The channel is switched off until APNS_EMAIL_FROM or APNS_EMAIL_TO changes.',
    });
  });

  test('when sendMail answers 429 with Retry-After, the error carries the wait', async () => {
    rx.failNext('email', 429, 1, '3');
    const error = await refusalOf(email.send(apnsEvent(25)));
    expect({ retriable: error.retriable, retryAfterMs: error.retryAfterMs }).toEqual({ retriable: true, retryAfterMs: 3000 });
  });

  test('when Graph answers with a redirect, it is not followed and names APNS_GRAPH_BASE_URL', async () => {
    rx.failNext('email', 307);
    const error = await refusalOf(email.send(apnsEvent(25)));
    expect(rx.of('email')).toHaveLength(0);
    expect(error.message).toBe("email answered 307 (a redirect): the configured URL is not the receiver's final https URL; set APNS_GRAPH_BASE_URL to it.");
  });

  test('when the recipients are the same in another order or case, the fingerprint is the same; another recipient changes it', () => {
    const client = createGraphClient({ baseUrl: rx.urls.email, credential });
    const fp = (to: string[]) => createEmailNotifier({ from: FROM, to, minSeverity: 'notice' }, client).fingerprint;
    expect(fp(['INTUNE@contoso.com', 'oncall@contoso.com'])).toBe(email.fingerprint);
    expect(fp(['oncall@contoso.com'])).not.toBe(email.fingerprint);
    expect(email.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
