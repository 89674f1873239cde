import { backoffDelayMs } from '../backoff';

describe('backoffDelayMs', () => {
  it('waits firstMs before the first retry, doubles, and stops at maxMs however many retries', () => {
    const backoff = { firstMs: 200, maxMs: 30_000 };
    expect([1, 2, 3, 8, 9, 1_000].map((retry) => backoffDelayMs(retry, backoff))).toEqual([200, 400, 800, 25_600, 30_000, 30_000]);
    expect(backoffDelayMs(0, backoff)).toBe(200);
  });

  it('with jitter, waits a random part of that ceiling (full jitter)', () => {
    const backoff = { firstMs: 1_000, maxMs: 60_000, jitter: true };
    expect(backoffDelayMs(3, backoff, () => 0.5)).toBe(2_000);
    expect(backoffDelayMs(3, backoff, () => 0)).toBe(0);
    expect(backoffDelayMs(30, backoff, () => 0.999)).toBe(59_940);
  });
});
