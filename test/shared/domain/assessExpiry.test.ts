import { assessExpiry, daysRemaining, describeExpiry, MS_PER_DAY } from '../../../shared/domain/assessExpiry';
import { parseGraphDateTime } from '../../../shared/domain/graphDateTime';
import { DEFAULT_POLICY } from '../../../shared/domain/policy';

const NOW = Date.UTC(2026, 10, 23, 8, 0, 0); // 2026-11-23T08:00:00Z
const at = (days: number, extraMs = 0) => NOW + days * MS_PER_DAY + extraMs;

describe('assessExpiry', () => {
  test.each`
    days   | extraMs      | expectedDays | severity
    ${400} | ${0}         | ${400}       | ${'ok'}
    ${61}  | ${0}         | ${61}        | ${'ok'}
    ${60}  | ${0}         | ${60}        | ${'notice'}
    ${31}  | ${0}         | ${31}        | ${'notice'}
    ${30}  | ${0}         | ${30}        | ${'warning'}
    ${8}   | ${0}         | ${8}         | ${'warning'}
    ${7}   | ${0}         | ${7}         | ${'critical'}
    ${1}   | ${0}         | ${1}         | ${'critical'}
    ${0}   | ${3_600_000} | ${0}         | ${'critical'}
    ${0}   | ${0}         | ${0}         | ${'critical'}
    ${0}   | ${-1}        | ${-1}        | ${'expired'}
    ${-1}  | ${0}         | ${-1}        | ${'expired'}
    ${-30} | ${0}         | ${-30}       | ${'expired'}
    ${-31} | ${0}         | ${-31}       | ${'expired'}
    ${-400}| ${0}         | ${-400}      | ${'expired'}
  `('when the expiry is $days days $extraMs ms from now, d = $expectedDays and severity is $severity', ({ days, extraMs, expectedDays, severity }) => {
    expect(assessExpiry(at(days, extraMs), NOW, DEFAULT_POLICY)).toEqual({ daysRemaining: expectedDays, severity });
  });

  test('when the expiry is 60 days and one millisecond away, it is still 60 whole days (notice)', () => {
    expect(assessExpiry(at(60, 1), NOW, DEFAULT_POLICY).severity).toBe('notice');
  });

  test('when 61 days minus one millisecond remain, it rounds down to 60 (notice)', () => {
    expect(assessExpiry(at(61, -1), NOW, DEFAULT_POLICY)).toEqual({ daysRemaining: 60, severity: 'notice' });
  });

  test('when the span crosses a leap day, the extra day counts', () => {
    const now = Date.UTC(2028, 1, 28, 12); // 2028-02-28, leap year
    expect(daysRemaining(Date.UTC(2028, 2, 1, 12), now)).toBe(2);
    expect(daysRemaining(Date.UTC(2027, 2, 1, 12), Date.UTC(2027, 1, 28, 12))).toBe(1);
  });

  test('when the expiry carries an offset, days count from the UTC instant', () => {
    // 2026-12-23T00:30:00-08:00 is 2026-12-23T08:30:00Z: 30 days and 30 minutes from NOW.
    const expiry = parseGraphDateTime('2026-12-23T00:30:00-08:00');
    expect(expiry).toBe(Date.UTC(2026, 11, 23, 8, 30));
    expect(assessExpiry(expiry as number, NOW, DEFAULT_POLICY)).toEqual({ daysRemaining: 30, severity: 'warning' });
    // 2026-12-23T07:30:00Z is 23:30 the day before with -08:00: 29 days and 23.5 hours → 29.
    expect(daysRemaining(parseGraphDateTime('2026-12-22T23:30:00-08:00') as number, NOW)).toBe(29);
  });

  test('when the thresholds are configured, the bands follow them', () => {
    const policy = { ...DEFAULT_POLICY, noticeDays: 90, warningDays: 45, criticalDays: 14 };
    expect(assessExpiry(at(90), NOW, policy).severity).toBe('notice');
    expect(assessExpiry(at(45), NOW, policy).severity).toBe('warning');
    expect(assessExpiry(at(14), NOW, policy).severity).toBe('critical');
    expect(assessExpiry(at(15), NOW, policy).severity).toBe('warning');
  });
});

describe('describeExpiry', () => {
  test.each`
    offsetHours  | text
    ${25 * 24}   | ${'in 25 days'}
    ${25 * 24 + 5} | ${'in 25 days'}
    ${30}        | ${'in 1 day'}
    ${5}         | ${'within 24 hours'}
    ${-2}        | ${'less than a day ago'}
    ${-24}       | ${'1 day ago'}
    ${-36}       | ${'1 day ago'}
    ${-48}       | ${'2 days ago'}
    ${-30 * 24}  | ${'30 days ago'}
  `('when the expiry is $offsetHours hours from now, it reads "$text"', ({ offsetHours, text }) => {
    expect(describeExpiry(NOW + offsetHours * 3_600_000, NOW)).toBe(text);
  });
});
