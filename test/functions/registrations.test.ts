import '../../functions/index';
import { registrations, triggerOf } from '../support/functionsCoreApi';

describe('what the entry point registers with the Functions host', () => {
  test('when the entry point loads, the timer runs on the APNS_CHECK_SCHEDULE setting with a retry policy', () => {
    expect(triggerOf('checkApnsExpiry')).toMatchObject({ type: 'timerTrigger', schedule: '%APNS_CHECK_SCHEDULE%' });
    expect(registrations.find((r) => r.name === 'checkApnsExpiry')?.metadata.retryOptions).toMatchObject({ strategy: 'exponentialBackoff', maxRetryCount: 3 });
  });

  test.each([
    ['renewApnsCertificate', 'apns/renew', ['POST']],
    ['getApnsCsr', 'apns/csr', ['GET']],
    ['getApnsStatus', 'apns/status', ['GET']],
    ['getApnsCalendar', 'apns/calendar.ics', ['GET']],
  ])('when the entry point loads, %s answers %s behind a function key', (name, route, methods) => {
    expect(triggerOf(name)).toMatchObject({ type: 'httpTrigger', route, methods, authLevel: 'function' });
  });
});
