import { Transaction } from '../graphql/types';
import { groupByOrder } from '../orders';

const transaction = (commissionId: string, merchantOrderId: string | null, amount: string): Transaction => ({
  source: 'wildfire', commissionId, state: 'PENDING', amount, unit: 'USD', saleAmount: null, saleCurrency: null, merchantId: '42', merchant: { id: '42', name: 'Bluebird Books', logoUrl: null }, merchantOrderId,
  eventDate: null, lockingDate: null, modifiedDate: '2026-11-01T00:00:00.000000Z', statusExplanation: 'Pending', paidOutAmount: '0',
});

describe('groupByOrder: a purchase and its returns together', () => {
  it('groups by merchant order id in the order listed, and keeps commissions without one apart', () => {
    const groups = groupByOrder([transaction('3', 'order-1', '-0.6'), transaction('2', 'order-2', '1'), transaction('1', 'order-1', '2.4'), transaction('4', null, '1'), transaction('5', null, '2')]);
    expect(groups.map((group) => [group.orderId, group.transactions.map((entry) => entry.commissionId)])).toEqual([
      ['order-1', ['3', '1']], ['order-2', ['2']], [null, ['4']], [null, ['5']],
    ]);
  });
});
