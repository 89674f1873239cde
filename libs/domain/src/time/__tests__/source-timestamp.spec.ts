import fc from 'fast-check';
import { canonicalTimestamp, compareTimestamps, fromEpochMicros, InvalidTimestampError, toEpochMicros } from '../source-timestamp';

describe('source timestamps keep microseconds', () => {
  it('normalises a variable number of fractional digits to six', () => {
    expect(canonicalTimestamp('2023-03-07T02:57:58.5251Z')).toBe('2023-03-07T02:57:58.525100Z');
    expect(canonicalTimestamp('2023-03-14T12:19:50.66962Z')).toBe('2023-03-14T12:19:50.669620Z');
    expect(canonicalTimestamp('2019-09-13T02:22:33.987654Z')).toBe('2019-09-13T02:22:33.987654Z');
    expect(canonicalTimestamp('2022-10-27T23:08:45Z')).toBe('2022-10-27T23:08:45.000000Z');
  });

  it('orders versions that differ below a millisecond, which Date cannot', () => {
    expect(compareTimestamps('2023-03-07T02:57:58.525101Z', '2023-03-07T02:57:58.5251Z')).toBe(1);
    expect(compareTimestamps('2023-03-07T02:57:58.5251Z', '2023-03-07T02:57:58.525100Z')).toBe(0);
    // As strings ".9Z" > ".10Z"; as times .9 s is later than .10 s.
    expect(compareTimestamps('2023-01-01T00:00:00.9Z', '2023-01-01T00:00:00.10Z')).toBe(1);
  });

  it('reads PostgreSQL timestamptz text', () => {
    expect(canonicalTimestamp('2023-03-07 02:57:58.5251+00')).toBe('2023-03-07T02:57:58.525100Z');
  });

  it('applies zone offsets', () => {
    expect(toEpochMicros('2023-01-01T02:00:00.000001+02:00')).toBe(toEpochMicros('2023-01-01T00:00:00.000001Z'));
  });

  it('gives every UTC spelling of an instant the same canonical form as the exact epoch arithmetic', () => {
    const instants = fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }); // 0001-01-01 to 9999-12-31
    const spellings = fc.constantFrom('Z', 'z', '+00:00', '+0000', '-00:00', '+00');
    const digits = fc.integer({ min: 0, max: 9 });
    fc.assert(
      fc.property(instants, spellings, digits, fc.boolean(), (micros, zone, fractionDigits, spaced) => {
        const canonical = fromEpochMicros(micros);
        const fraction = fractionDigits === 0 ? '' : `.${(canonical.slice(20, 26) + '000').slice(0, fractionDigits)}`;
        const input = `${canonical.slice(0, 10)}${spaced ? ' ' : 'T'}${canonical.slice(11, 19)}${fraction}${zone}`;
        expect(canonicalTimestamp(input)).toBe(fromEpochMicros(toEpochMicros(input)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the Wildfire "no date" sentinel in year 1', () => {
    expect(canonicalTimestamp('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000000Z');
  });

  it('rejects what is not a timestamp', () => {
    expect(() => toEpochMicros('yesterday')).toThrow(InvalidTimestampError);
    expect(() => toEpochMicros('2023-13-01T00:00:00Z')).toThrow(InvalidTimestampError);
    expect(() => toEpochMicros('2023-02-29T00:00:00Z')).toThrow(InvalidTimestampError);
    expect(toEpochMicros('2024-02-29T00:00:00Z')).toBe(1709164800000000n);
  });
});
