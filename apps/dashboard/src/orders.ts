import { Transaction } from './graphql/types';

export interface OrderGroup {
  key: string;
  orderId: string | null;
  transactions: Transaction[];
}

/** Commissions of one order together (a purchase and its returns), in the order the API listed them. */
export function groupByOrder(transactions: readonly Transaction[]): OrderGroup[] {
  const groups = new Map<string, OrderGroup>();
  for (const transaction of transactions) {
    const key = transaction.merchantOrderId ? `order:${transaction.merchantOrderId}` : `commission:${transaction.source}:${transaction.commissionId}`;
    const group = groups.get(key) ?? { key, orderId: transaction.merchantOrderId, transactions: [] };
    group.transactions.push(transaction);
    groups.set(key, group);
  }
  return [...groups.values()];
}
