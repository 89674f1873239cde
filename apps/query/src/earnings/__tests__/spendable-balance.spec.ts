import { Decimal } from '@earnings/domain';
import { spendableBalanceOf } from '../spendable-balance';

const figures = (payable: string, paidOut: string, reserved: string, pendingReversals: string) => ({ payable, paidOut, reserved, pendingReversals });
const order = (merchantOrderId: string, withheld: string) => ({ source: 'wildfire', merchantId: '42', merchantOrderId, withheld: new Decimal(withheld) });

describe('spendableBalanceOf: the page says what the run pays', () => {
  it('after a run paid 18 of 30 with a return of -12 pending on the order: nothing spendable, 12 withheld for that order', () => {
    expect(spendableBalanceOf(figures('30', '18', '0', '-12'), '18', [order('o-1', '-12')])).toEqual({
      spendable: '0', shortfall: '0',
      withheld: {
        total: '12',
        reasons: [{ reason: 'PENDING_RETURN', amount: '12', source: 'wildfire', merchantId: '42', merchantOrderId: 'o-1', commissionId: null, explanation: expect.stringContaining('order o-1') }],
      },
    });
  });

  it('says a payout the ledger has not heard of yet is on its way, from the payout service\'s own figure', () => {
    expect(spendableBalanceOf(figures('40', '0', '0', '0'), '40', [])).toEqual({
      spendable: '0', shortfall: '0', withheld: { total: '40', reasons: [expect.objectContaining({ reason: 'PAYOUT_IN_FLIGHT', amount: '40' })] },
    });
  });

  it('counts what later earnings must make up before anything is spendable: a clawback, or returns beyond the payable', () => {
    expect(spendableBalanceOf(figures('15', '20', '0', '0'), '20', [])).toMatchObject({ spendable: '0', shortfall: '5', withheld: { total: '5', reasons: [{ reason: 'UNCOLLECTED', amount: '5' }] } });
    expect(spendableBalanceOf(figures('30', '18', '0', '-20'), '18', [])).toMatchObject({ spendable: '0', shortfall: '8' });
  });

  it('shows a payout the partner reviews as being reviewed, and a flagged commission as under review, out of spendable', () => {
    const flagged = [{ source: 'firstpromoter', commissionId: '88120', payable: new Decimal(20), decision: 'held' as const }];
    expect(spendableBalanceOf(figures('100', '0', '60', '0'), '60', [], { inReview: new Decimal(60), flagged })).toEqual({
      spendable: '20', shortfall: '0',
      withheld: {
        total: '80',
        reasons: [
          expect.objectContaining({ reason: 'COMMISSION_UNDER_REVIEW', amount: '20', source: 'firstpromoter', commissionId: '88120', explanation: expect.stringContaining('paid once cleared') }),
          expect.objectContaining({ reason: 'PAYOUT_IN_REVIEW', amount: '60', explanation: expect.stringContaining('being reviewed') }),
        ],
      },
    });
  });
});
