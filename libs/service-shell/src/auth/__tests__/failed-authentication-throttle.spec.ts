import { FailedAuthenticationThrottle } from '../failed-authentication-throttle';

describe('FailedAuthenticationThrottle', () => {
  let nowMs: number;
  const throttle = (perMinute: number) => new FailedAuthenticationThrottle(perMinute, () => nowMs);

  beforeEach(() => {
    nowMs = 1_000_000;
  });

  it('blocks an address once it has used up its failures, and no other address', () => {
    const sut = throttle(3);
    for (let failure = 0; failure < 3; failure += 1) {
      expect(sut.isBlocked('198.51.100.7')).toBe(false);
      sut.recordFailure('198.51.100.7');
    }
    expect(sut.isBlocked('198.51.100.7')).toBe(true);
    expect(sut.isBlocked('203.0.113.9')).toBe(false);
  });

  it('lets the address try again as its bucket refills, at the configured rate', () => {
    const sut = throttle(6);
    for (let failure = 0; failure < 6; failure += 1) sut.recordFailure('198.51.100.7');
    expect(sut.retryAfterSeconds('198.51.100.7')).toBe(10);
    nowMs += 9_999;
    expect(sut.isBlocked('198.51.100.7')).toBe(true);
    nowMs += 1;
    expect(sut.isBlocked('198.51.100.7')).toBe(false);
    sut.recordFailure('198.51.100.7');
    expect(sut.isBlocked('198.51.100.7')).toBe(true);
  });

  it('forgets the least recently failed address past its bound, so memory stays bounded', () => {
    const sut = throttle(1);
    sut.recordFailure('first');
    for (let index = 0; index < FailedAuthenticationThrottle.addressCountMax; index += 1) sut.recordFailure(`address-${index}`);
    expect(sut.isBlocked('first')).toBe(false);
    expect(sut.isBlocked(`address-${FailedAuthenticationThrottle.addressCountMax - 1}`)).toBe(true);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => throttle(0)).toThrow(RangeError);
  });
});
