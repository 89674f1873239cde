import { Caller } from '../../auth/caller';
import { endAtTokenExpiry } from '../token-expiry';

describe('a subscription ends when the user token it was opened with expires', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const user = (expiresAtMs: number | null): Caller => ({ kind: 'user', subject: 'aui-1', expiresAtMs, rateLimited: false });

  it('ends it at the exp of the token, not before', () => {
    const end = jest.fn();
    endAtTokenExpiry(user(1_000_000 + 5_000), end);
    jest.advanceTimersByTime(4_999);
    expect(end).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('waits in steps for an expiry beyond what one timer can wait (about 24.8 days)', () => {
    const end = jest.fn();
    const fortyDaysMs = 40 * 24 * 3_600_000;
    endAtTokenExpiry(user(1_000_000 + fortyDaysMs), end);
    jest.advanceTimersByTime(fortyDaysMs - 1);
    expect(end).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it("never ends a partner key's subscription, nor one of a token without exp", () => {
    const end = jest.fn();
    endAtTokenExpiry({ kind: 'partner', keyName: 'portal', scopes: ['earnings:read'], rateLimited: false }, end);
    endAtTokenExpiry(user(null), end);
    jest.advanceTimersByTime(365 * 24 * 3_600_000);
    expect(end).not.toHaveBeenCalled();
  });
});
