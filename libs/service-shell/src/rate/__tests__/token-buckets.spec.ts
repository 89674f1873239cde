import { TokenBuckets } from '../token-buckets';

describe('TokenBuckets', () => {
  let nowMs: number;
  const throttle = (perMinute: number) => new TokenBuckets(perMinute, () => nowMs);

  beforeEach(() => {
    nowMs = 1_000_000;
  });

  it('empties a key once it has used up its tokens, and no other key', () => {
    const sut = throttle(3);
    for (let failure = 0; failure < 3; failure += 1) {
      expect(sut.isEmpty('198.51.100.7')).toBe(false);
      sut.take('198.51.100.7');
    }
    expect(sut.isEmpty('198.51.100.7')).toBe(true);
    expect(sut.isEmpty('203.0.113.9')).toBe(false);
  });

  it('refills at the configured rate, and says when the next token comes', () => {
    const sut = throttle(6);
    for (let failure = 0; failure < 6; failure += 1) sut.take('198.51.100.7');
    expect(sut.secondsUntilToken('198.51.100.7')).toBe(10);
    nowMs += 9_999;
    expect(sut.isEmpty('198.51.100.7')).toBe(true);
    nowMs += 1;
    expect(sut.isEmpty('198.51.100.7')).toBe(false);
    sut.take('198.51.100.7');
    expect(sut.isEmpty('198.51.100.7')).toBe(true);
  });

  it('forgets the key untouched longest past its bound, so memory stays bounded', () => {
    const sut = throttle(1);
    sut.take('first');
    for (let index = 0; index < TokenBuckets.keysMaxDefault; index += 1) sut.take(`address-${index}`);
    expect(sut.isEmpty('first')).toBe(false);
    expect(sut.isEmpty(`address-${TokenBuckets.keysMaxDefault - 1}`)).toBe(true);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => throttle(0)).toThrow(RangeError);
  });

  it('tryTake allows a burst of the capacity per key, then refills over a minute, and takes nothing when empty', () => {
    const limiter = throttle(3);
    expect([1, 2, 3, 4].map(() => limiter.tryTake('a'))).toEqual([true, true, true, false]);
    expect(limiter.tryTake('b')).toBe(true);
    nowMs += 20_000;
    expect([limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, false]);
  });
});
