import { decideAcknowledgement, MAX_ACK_DAYS, type AcknowledgeRequest } from '../../../shared/domain/acknowledgement';
import { assessTenant } from '../../../shared/domain/assessTenant';
import type { Assessment } from '../../../shared/domain/assessment';
import { AppError } from '../../../shared/domain/errors';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';
import { apnsCert, days, NOW, snapshot, TENANT, TOPIC } from '../../fakes/snapshots';

const DAY = 86_400_000;
const KEY = `${TENANT}:apns:${TOPIC}`;
const apnsAt = (d: number): Assessment => assessTenant(snapshot({ apns: apnsCert({ expirationDateTime: days(d) }) }), NOW, DEFAULT_POLICY).find((a) => a.key === KEY) as Assessment;
const monitorFailing = (): Assessment | undefined =>
  assessTenant(snapshot({ apns: { status: 'failed', error: new AppError('graph_permission_denied', 'Graph answered 403.') } }), NOW, DEFAULT_POLICY).find((a) => a.kind === 'monitor') as Assessment;
const request = (over: Partial<AcknowledgeRequest> = {}): AcknowledgeRequest => ({ key: KEY, until: NOW + 5 * DAY, reason: 'Renewal booked for Thursday', by: 'ada@msp.example', ...over });

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { code: (error as AppError).code, message: (error as AppError).message };
  }
  throw new Error('expected a refusal');
}

describe('decideAcknowledgement', () => {
  test('when a warning is acknowledged for 5 days with a reason, it is accepted at its current severity, by whom and why', () => {
    expect(decideAcknowledgement(request(), apnsAt(25), NOW)).toEqual({ key: KEY, severity: 'warning', by: 'ada@msp.example', reason: 'Renewal booked for Thursday', at: NOW, until: NOW + 5 * DAY });
  });

  test.each([
    ['an expired certificate', () => apnsAt(-2), /has expired, and an expired asset never goes quiet/],
    ["the monitor's own failure", monitorFailing, /monitor failures never go quiet/],
    ['a healthy certificate', () => apnsAt(200), /is ok: there is nothing to acknowledge/],
    ['a key with no stored alert', () => undefined, /there is no alert .* in the stored state/],
  ] as [string, () => Assessment | undefined, RegExp][])('when it is %s, it is refused as ack_refused, saying why, and nothing is accepted', (_what, assessment, why) => {
    const r = refusal(() => decideAcknowledgement(request(), assessment(), NOW));
    expect(r.code).toBe('ack_refused');
    expect(r.message).toMatch(why);
    expect(r.message).toMatch(/Nothing was changed\.$/);
  });

  test.each([
    ['in the past', NOW - 1, /is not in the future/],
    [`more than ${MAX_ACK_DAYS} days away`, NOW + (MAX_ACK_DAYS + 1) * DAY, /lasts at most 30 days \(until 2026-12-23T08:00:00.000Z\)/],
    ['after the expiry', NOW + 26 * DAY, /expires 2026-12-18T08:00:00.000Z, and an acknowledgement cannot outlast it/],
  ] as const)('when the end date is %s, it is refused with the limit', (_what, until, why) => {
    const r = refusal(() => decideAcknowledgement(request({ until }), apnsAt(25), NOW));
    expect(r.code).toBe('ack_refused');
    expect(r.message).toMatch(why);
  });

  test('when the end is exactly 30 days away, or exactly the expiry, it is accepted (the limits are inclusive)', () => {
    expect(decideAcknowledgement(request({ until: NOW + MAX_ACK_DAYS * DAY }), apnsAt(45), NOW).until).toBe(NOW + 30 * DAY);
    expect(decideAcknowledgement(request({ until: NOW + 25 * DAY }), apnsAt(25), NOW).until).toBe(NOW + 25 * DAY);
  });

  test.each([
    ['empty', '   '],
    ['several lines', 'booked\nfor Thursday'],
    ['a terminal escape', 'booked \u001b[2J'],
    ['too long', 'x'.repeat(501)],
  ])('when the reason is %s, it is invalid_request', (_what, reason) => {
    expect(refusal(() => decideAcknowledgement(request({ reason }), apnsAt(25), NOW)).code).toBe('invalid_request');
  });
});
