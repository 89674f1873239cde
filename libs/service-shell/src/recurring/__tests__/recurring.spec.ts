import pino from 'pino';
import { Recurring } from '../recurring';

const logger = pino({ level: 'silent' });

/** Lets the pass promises settle between timer steps. */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await Promise.resolve();
}

describe('Recurring', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at start, again right away while a pass says there is more, then after the interval; never two passes at once', async () => {
    const answers = [true, true, false, false];
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const work = new Recurring({ name: 'test', intervalMs: 60_000, logger }, async () => {
      overlapped ||= running > 0;
      running += 1;
      passes += 1;
      await Promise.resolve();
      running -= 1;
      return answers.shift() ?? false;
    });
    work.start();
    await jest.advanceTimersByTimeAsync(10);
    expect(passes).toBe(3);
    await jest.advanceTimersByTimeAsync(59_980);
    expect(passes).toBe(3);
    await jest.advanceTimersByTimeAsync(20);
    expect(passes).toBe(4);
    expect(overlapped).toBe(false);
    await work.stop();
  });

  it('retries a failing pass by the backoff, and is back on its interval after a pass that succeeds', async () => {
    let failuresLeft = 2;
    const startedAt: number[] = [];
    const work = new Recurring({ name: 'test', intervalMs: 60_000, afterFailure: { firstMs: 100, maxMs: 10_000 }, logger }, async () => {
      startedAt.push(Date.now());
      if (failuresLeft-- > 0) throw new Error('down');
    });
    const origin = Date.now();
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(100);
    await jest.advanceTimersByTimeAsync(200);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(startedAt.map((at) => at - origin)).toEqual([0, 100, 300, 60_300]);
    await work.stop();
  });

  it('with no interval runs only when woken; a wake during a pass runs one more right after it', async () => {
    let release: () => void = () => undefined;
    let passes = 0;
    const work = new Recurring({ name: 'test', intervalMs: null, runAtStart: false, logger }, async () => {
      passes += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    work.start();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(passes).toBe(0);
    work.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(passes).toBe(1);
    work.wake();
    work.wake();
    release();
    await settle();
    await jest.advanceTimersByTimeAsync(0);
    expect(passes).toBe(2);
    release();
    await settle();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(passes).toBe(2);
    await work.stop();
  });

  it('stop() tells the pass in flight, waits for it, and starts none after', async () => {
    let passes = 0;
    let sawAbort = false;
    const work = new Recurring({ name: 'test', intervalMs: 10, logger }, async (stopping) => {
      passes += 1;
      await new Promise<void>((resolve) => stopping.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = stopping.aborted;
    });
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    await work.stop();
    expect(sawAbort).toBe(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(passes).toBe(1);
  });
});
