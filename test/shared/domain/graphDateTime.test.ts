import { formatUtc, isUnsetGraphDate, parseGraphDateTime } from '../../../shared/domain/graphDateTime';

describe('parseGraphDateTime', () => {
  test.each`
    text                                   | iso
    ${'2027-03-01T10:20:30Z'}              | ${'2027-03-01T10:20:30.000Z'}
    ${'2027-03-01T10:20:30.1Z'}            | ${'2027-03-01T10:20:30.100Z'}
    ${'2027-03-01T10:20:30.12Z'}           | ${'2027-03-01T10:20:30.120Z'}
    ${'2027-03-01T10:20:30.123Z'}          | ${'2027-03-01T10:20:30.123Z'}
    ${'2027-03-01T10:20:30.1234Z'}         | ${'2027-03-01T10:20:30.123Z'}
    ${'2027-03-01T10:20:30.12345Z'}        | ${'2027-03-01T10:20:30.123Z'}
    ${'2027-03-01T10:20:30.123456Z'}       | ${'2027-03-01T10:20:30.123Z'}
    ${'2027-03-01T10:20:30.1234567Z'}      | ${'2027-03-01T10:20:30.123Z'}
    ${'2027-03-01T10:20:30.9999999Z'}      | ${'2027-03-01T10:20:30.999Z'}
    ${'2027-03-01T10:20:30-08:00'}         | ${'2027-03-01T18:20:30.000Z'}
    ${'2027-03-01T02:20:30.5+05:30'}       | ${'2027-02-28T20:50:30.500Z'}
    ${'2027-03-01T00:00:00.0000000+00:00'} | ${'2027-03-01T00:00:00.000Z'}
    ${'2028-02-29T23:59:59Z'}              | ${'2028-02-29T23:59:59.000Z'}
    ${'0099-12-31T23:59:59Z'}              | ${'0099-12-31T23:59:59.000Z'}
    ${'0001-01-01T00:00:00Z'}              | ${'0001-01-01T00:00:00.000Z'}
    ${'0004-02-29T00:00:00Z'}              | ${'0004-02-29T00:00:00.000Z'}
  `('when Graph sends "$text", it is $iso', ({ text, iso }) => {
    const ms = parseGraphDateTime(text);
    expect(ms).toBeDefined();
    expect(formatUtc(ms as number)).toBe(iso);
  });

  test.each([
    ['no zone', '2027-03-01T10:20:30'],
    ['eight fractional digits', '2027-03-01T10:20:30.12345678Z'],
    ['a date only', '2027-03-01'],
    ['February 30th', '2027-02-30T00:00:00Z'],
    ['February 29th of a common year', '2027-02-29T00:00:00Z'],
    ['hour 24', '2027-03-01T24:00:00Z'],
    ['a space instead of T', '2027-03-01 10:20:30Z'],
    ['text', 'soon'],
    ['an empty string', ''],
    ['a number', 1789000000000],
    ['null', null],
  ])('when the value is %s, it is refused', (_what, value) => {
    expect(parseGraphDateTime(value)).toBeUndefined();
  });

  test('when a year is below 100, it is that year, not 19xx', () => {
    expect(new Date(parseGraphDateTime('0050-06-01T00:00:00Z') as number).getUTCFullYear()).toBe(50);
  });

  test('when Graph sends the DateTimeOffset default 0001-01-01, it reads as unset; a real date does not', () => {
    expect(isUnsetGraphDate(parseGraphDateTime('0001-01-01T00:00:00Z') as number)).toBe(true);
    expect(isUnsetGraphDate(parseGraphDateTime('1901-12-13T20:45:52Z') as number)).toBe(false);
  });
});
