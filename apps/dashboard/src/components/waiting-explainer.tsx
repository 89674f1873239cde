import { formatDate } from '../dates';
import { CommissionState, WaitingTransaction } from '../graphql/types';
import { sumDecimals } from '../money';
import { expectedSettlement } from '../waiting';
import { Amount } from './amount';
import { CommissionBadge } from './status-badge';

const waitingStates: CommissionState[] = ['PENDING', 'CONFIRMED', 'READY'];

/** "Why is this pending": each waiting state in plain words, with its total and, for purchases, when the wait usually ends. */
export function WaitingExplainer({ waiting, unit }: { waiting: WaitingTransaction[]; unit: string }) {
  const groups = waitingStates
    .map((state) => ({ state, transactions: waiting.filter((transaction) => transaction.state === state && transaction.unit === unit) }))
    .filter((group) => group.transactions.length > 0);
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Why is money pending?</h2>
      {groups.length === 0 && <p className="muted">Nothing is waiting: everything you earned is available or paid.</p>}
      <ul className="waiting">
        {groups.map(({ state, transactions }) => {
          const expected = state === 'PENDING' ? expectedSettlement(transactions) : null;
          return (
            <li key={state} data-testid={`waiting-${state}`}>
              <div className="waiting-head">
                <CommissionBadge state={state} />
                <Amount value={sumDecimals(transactions.map((transaction) => transaction.amount))} unit={unit} className="figure-small" />
                <span className="muted">{transactions.length === 1 ? '1 transaction' : `${transactions.length} transactions`}</span>
              </div>
              <p>{transactions[0].statusExplanation}</p>
              {expected && (
                <p className="muted" data-testid="waiting-expected">
                  {expected.fromLockingDate
                    ? `Expected to lock by ${formatDate(expected.at)}: after that, a return can no longer take it back.`
                    : `Usually settled by about ${formatDate(expected.at)}, when the stores' return windows close.`}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
