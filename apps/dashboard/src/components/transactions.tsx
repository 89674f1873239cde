import { useCallback, useEffect, useRef, useState } from 'react';
import { formatDate } from '../dates';
import { QueryClient, QueryFailure } from '../graphql/client';
import { transactionsQuery } from '../graphql/queries';
import { CommissionState, commissionStates, Page, Transaction } from '../graphql/types';
import { sumDecimals } from '../money';
import { groupByOrder } from '../orders';
import { Amount } from './amount';
import { CommissionHistoryDialog } from './commission-history-dialog';
import { MerchantLogo, merchantName } from './merchant-logo';
import { commissionLabel, CommissionBadge } from './status-badge';

export const transactionsPageSize = 10;
/** A live update reads again as many rows as are shown, up to the query service's default page size limit. */
const rereadRowsMax = 100;

interface ListState {
  transactions: Transaction[];
  endCursor: string | null;
  hasNextPage: boolean;
  loading: boolean;
  failure: QueryFailure | null;
}

const emptyList: ListState = { transactions: [], endCursor: null, hasNextPage: false, loading: true, failure: null };

/** Transactions by order, filtered by state, read a page at a time; a row opens the commission's history. */
export function Transactions({ client, aui, unit, refreshedAt }: { client: QueryClient; aui: string; unit: string; refreshedAt: number }) {
  const [filter, setFilter] = useState<CommissionState | null>(null);
  const [list, setList] = useState<ListState>(emptyList);
  const [opened, setOpened] = useState<Transaction | null>(null);

  const read = useCallback(
    async (after: string | null, first = transactionsPageSize) => {
      setList((previous) => ({ ...previous, loading: true, failure: null }));
      try {
        const { transactions } = await client.request<{ transactions: Page<Transaction> }>(transactionsQuery, { aui, first, after, states: filter ? [filter] : null, unit });
        const nodes = transactions.edges.map((edge) => edge.node);
        setList((previous) => ({
          transactions: after ? [...previous.transactions, ...nodes] : nodes,
          endCursor: transactions.pageInfo.endCursor,
          hasNextPage: transactions.pageInfo.hasNextPage,
          loading: false,
          failure: null,
        }));
      } catch (error) {
        setList((previous) => ({ ...previous, loading: false, failure: error instanceof QueryFailure ? error : new QueryFailure('unavailable', String(error)) }));
      }
    },
    [client, aui, filter, unit],
  );

  // Another filter or unit starts from the first page.
  useEffect(() => {
    void read(null);
  }, [read]);

  // A live update keeps the rows the user paged to: it reads as many again from the top, plus a page for what arrived.
  const latest = useRef({ read, shown: 0, refreshedAt });
  latest.current.read = read;
  latest.current.shown = list.transactions.length;
  useEffect(() => {
    if (latest.current.refreshedAt === refreshedAt) return;
    latest.current.refreshedAt = refreshedAt;
    void latest.current.read(null, Math.min(latest.current.shown + transactionsPageSize, rereadRowsMax));
  }, [refreshedAt]);

  const groups = groupByOrder(list.transactions);
  return (
    <section className="panel panel-wide" aria-labelledby="transactions-title">
      <div className="panel-head">
        <h2 id="transactions-title">Transactions</h2>
        <div className="filters" role="group" aria-label="Show transactions by status">
          <button type="button" className="chip" aria-pressed={filter === null} onClick={() => setFilter(null)}>All</button>
          {commissionStates.map((state) => (
            <button type="button" key={state} className="chip" aria-pressed={filter === state} onClick={() => setFilter(state)}>
              {commissionLabel(state)}
            </button>
          ))}
        </div>
      </div>
      {list.failure && <p role="alert" className="inline-error">We could not load your transactions. <button type="button" className="link" onClick={() => void read(null)}>Try again</button></p>}
      {!list.loading && !list.failure && groups.length === 0 && (
        <p className="muted">{filter ? `No ${commissionLabel(filter).toLowerCase()} transactions.` : 'No transactions yet. Purchases you make through the app show up here within minutes.'}</p>
      )}
      <ul className="orders" data-testid="transactions">
        {groups.map((group) => (
          <li key={group.key} className="order">
            <div className="order-head">
              <span>{group.orderId ? `Order ${group.orderId}` : 'Purchase'}</span>
              {group.transactions.length > 1 && <Amount value={sumDecimals(group.transactions.map((transaction) => transaction.amount))} unit={unit} className="figure-small" />}
            </div>
            <ul className="rows">
              {group.transactions.map((transaction) => (
                <li key={`${transaction.source}:${transaction.commissionId}`}>
                  <button type="button" className="row row-button" data-testid={`transaction-${transaction.commissionId}`} onClick={() => setOpened(transaction)}
                    aria-label={`${kindOf(transaction)}${transaction.merchant ? ` at ${merchantName(transaction.merchant)}` : ''} ${transaction.eventDate ? `of ${formatDate(transaction.eventDate)}` : ''}, ${commissionLabel(transaction.state)}: show its history`}>
                    <MerchantLogo merchant={transaction.merchant} />
                    <span className="row-main">
                      <span className="row-title" data-testid="merchant-name">{transaction.merchant ? merchantName(transaction.merchant) : kindOf(transaction)}</span>
                      <span className="muted">{transaction.merchant ? `${kindOf(transaction)} · ` : ''}{transaction.eventDate ? formatDate(transaction.eventDate) : 'Date not known yet'}</span>
                    </span>
                    <span className="row-side">
                      <Amount value={transaction.amount} unit={transaction.unit} className="figure-small" />
                      <CommissionBadge state={transaction.state} />
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {list.loading && <p className="muted" aria-live="polite">Loading transactions…</p>}
      {list.hasNextPage && !list.loading && (
        <button type="button" className="button button-secondary" onClick={() => void read(list.endCursor)}>Show more</button>
      )}
      {opened && <CommissionHistoryDialog client={client} aui={aui} transaction={opened} onClose={() => setOpened(null)} />}
    </section>
  );
}

/** A negative amount is money going back: a return or a cancelled purchase. */
function kindOf(transaction: Transaction): string {
  return transaction.amount.startsWith('-') ? 'Return' : 'Cash back';
}
