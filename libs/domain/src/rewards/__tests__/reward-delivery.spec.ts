import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { Decimal } from '../../money/decimal';
import { decideRewardDelivery, parseRewardFulfillers, RewardCommission, RewardDeliveryPolicy } from '../reward-delivery';
import { isMarkableCommissionId, markGivenUp, markRetryDelayMs, refusedIdsNamed } from '../fulfilment-marking';
import { coverRewardPayout } from '../reward-coverage';

const policy: RewardDeliveryPolicy = {
  fulfillerByUnit: new Map([['points', 'ledger_credit'], ['credits', 'http_webhook'], ['discount_per', 'ledger_credit']]),
  unitsPaidByRun: new Set(['credits']),
  auiPrefix: 'p-',
  fractionDigitsOf: () => 0,
};
const approved = (change: Partial<RewardCommission> = {}): RewardCommission => ({ commissionId: '1', aui: 'p-user', unit: 'points', amount: new Decimal(40), state: 'PAYABLE', ...change });
const delivering = (delivered: string, commission: RewardCommission) => decideRewardDelivery(commission, new Decimal(delivered), policy);

describe('reward delivery on approval', () => {
  it('delivers an approved reward whole, by its unit\'s fulfiller, once', () => {
    expect(delivering('0', approved())).toEqual({ kind: 'deliver', amount: new Decimal(40), fulfiller: 'ledger_credit' });
    expect(delivering('40', approved())).toEqual({ kind: 'none', reason: 'delivered' });
  });

  it('never delivers a reward a fraud check flagged until an operator clears it', () => {
    expect(delivering('0', approved({ flagged: true }))).toEqual({ kind: 'none', reason: 'fraud-review' });
    expect(delivering('0', approved({ flagged: false }))).toEqual({ kind: 'deliver', amount: new Decimal(40), fulfiller: 'ledger_credit' });
  });

  it('delivers only what a later, larger amount adds, in whole units', () => {
    expect(delivering('30', approved({ amount: new Decimal('45.7') }))).toEqual({ kind: 'deliver', amount: new Decimal(15), fulfiller: 'ledger_credit' });
    expect(delivering('45', approved({ amount: new Decimal('45.7') }))).toEqual({ kind: 'none', reason: 'delivered' });
  });

  it('delivers a percentage discount as one grant, never a difference or a sum', () => {
    expect(delivering('0', approved({ unit: 'discount_per', amount: new Decimal(15) }))).toEqual({ kind: 'deliver', amount: new Decimal(15), fulfiller: 'ledger_credit' });
    expect(delivering('10', approved({ unit: 'discount_per', amount: new Decimal(15) }))).toEqual({ kind: 'none', reason: 'grant-delivered' });
  });

  it.each([
    [approved({ state: 'PENDING' }), 'not-approved'],
    [approved({ state: 'REJECTED' }), 'not-approved'],
    [approved({ aui: UNATTRIBUTED_AUI }), 'unattributed'],
    [approved({ aui: 'q-user' }), 'other-deployment'],
    [approved({ unit: 'USD' }), 'not-a-reward'],
    [approved({ unit: 'credits' }), 'paid-by-run'],
    [approved({ unit: 'free_months' }), 'unit-not-delivered'],
  ])('does not deliver %o: %s', (commission, reason) => {
    expect(delivering('0', commission)).toEqual({ kind: 'none', reason });
  });

  it('reads the per-unit fulfillers and refuses currencies and unknown fulfillers', () => {
    expect(parseRewardFulfillers('credits:ledger_credit, points:http_webhook', ['ledger_credit', 'http_webhook'])).toEqual(new Map([['credits', 'ledger_credit'], ['points', 'http_webhook']]));
    expect(parseRewardFulfillers('USD:ledger_credit', ['ledger_credit'])).toMatch(/currency/);
    expect(parseRewardFulfillers('points:carrier_pigeon', ['ledger_credit'])).toMatch(/not one of/);
  });
});

describe('marking FirstPromoter commissions', () => {
  it('backs off per id from a second to an hour, and gives up after the last attempt', () => {
    expect([1, 2, 3, 13, 40].map(markRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 3_600_000, 3_600_000]);
    expect(markGivenUp(19)).toBe(false);
    expect(markGivenUp(20)).toBe(true);
  });

  it('never queues a legacy fulfilment', () => {
    expect(isMarkableCommissionId('88120')).toBe(true);
    expect(isMarkableCommissionId('fulfilment:90')).toBe(false);
  });

  it('finds the refused ids a batch names, or says none can be trusted', () => {
    expect(refusedIdsNamed(['12', '123'], ['Commission 123: cannot be changed'])).toEqual(new Set(['123']));
    expect(refusedIdsNamed(['12', '123'], ['something went wrong'])).toBeNull();
  });
});

describe('a run\'s reward payout covers exactly what it pays', () => {
  const owed = (entries: [string, string][]) => entries.map(([commissionId, amount]) => ({ commissionId, owed: new Decimal(amount) }));
  const paidOf = (coverage: ReturnType<typeof coverRewardPayout>) => (coverage.kind === 'covered' ? coverage.paid.map((entry) => [entry.commissionId, entry.amount.toFixed()]) : []);

  it('pays commissions oldest first and covers (marks) only those it pays in full', () => {
    const coverage = coverRewardPayout(owed([['1', '60'], ['2', '80'], ['3', '30']]), new Decimal('130'), new Decimal('100'), 0);
    expect(coverage).toMatchObject({ kind: 'covered', amount: new Decimal('130'), covered: ['1'] });
    expect(paidOf(coverage)).toEqual([['1', '60'], ['2', '70']]);
  });

  it('covers nothing an earlier payout paid: a commission owed nothing is left out', () => {
    const coverage = coverRewardPayout(owed([['1', '0'], ['2', '0'], ['3', '120']]), new Decimal('120'), new Decimal('100'), 0);
    expect(coverage).toMatchObject({ kind: 'covered', amount: new Decimal('120'), covered: ['3'] });
  });

  it('leaves a fraction the unit cannot pay owed on the last commission, which is then not covered', () => {
    const coverage = coverRewardPayout(owed([['1', '60.75'], ['2', '60.75']]), new Decimal('121.5'), new Decimal('100'), 0);
    expect(coverage).toMatchObject({ kind: 'covered', amount: new Decimal('121'), covered: ['1'] });
    expect(paidOf(coverage)).toEqual([['1', '60.75'], ['2', '60.25']]);
  });

  it('pays nothing below the threshold', () => {
    expect(coverRewardPayout(owed([['1', '90']]), new Decimal('110'), new Decimal('100'), 0)).toEqual({ kind: 'none', reason: 'below-threshold' });
    expect(coverRewardPayout([], new Decimal('110'), new Decimal('100'), 0)).toEqual({ kind: 'none', reason: 'below-threshold' });
  });
});
