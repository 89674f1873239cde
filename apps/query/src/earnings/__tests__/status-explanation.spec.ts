import { CommissionStates } from '@earnings/contracts';
import { statusExplanation } from '../status-explanation';

describe('statusExplanation', () => {
  it.each([
    ['PENDING', 'wildfire', /return window to close, usually 30 days or more \(for travel, until after the trip\)/],
    ['CONFIRMED', 'wildfire', /^Confirmed: the store confirmed the purchase/],
    ['READY', 'wildfire', /paid the network; .* next monthly payment cycle/],
    ['PAYABLE', 'wildfire', /^Payable: this amount is available for you to withdraw\.$/],
    ['REJECTED', 'wildfire', /^Rejected: this purchase is not eligible/],
    ['PENDING', 'firstpromoter', /^Pending: the referral program is waiting/],
    ['REJECTED', 'firstpromoter', /^Rejected: this referral is not eligible/],
  ] as const)('explains %s from %s', (state, source, expected) => {
    expect(statusExplanation(state, source)).toMatch(expected);
  });

  it('has a distinct sentence for every state and source', () => {
    for (const source of ['wildfire', 'firstpromoter']) {
      const sentences = CommissionStates.map((state) => statusExplanation(state, source));
      expect(new Set(sentences).size).toBe(CommissionStates.length);
    }
  });

  it('fails loudly on a state the switch does not know', () => {
    expect(() => statusExplanation('LOST' as never, 'wildfire')).toThrow('unknown commission state LOST');
  });
});
