import { formatDate } from '../dates';
import { Payout } from '../graphql/types';
import { Amount } from './amount';
import { PayoutBadge } from './status-badge';

const methodNames: Record<string, string> = { paypal: 'PayPal', gift_card: 'Gift card', bank_transfer: 'Bank transfer', firstpromoter: 'Reward' };

/** Payouts newest first, those in flight included, with why one failed or came back. */
export function PayoutsList({ payouts, unit }: { payouts: Payout[]; unit: string }) {
  const ofUnit = payouts.filter((payout) => payout.unit === unit);
  return (
    <section className="panel" aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      {ofUnit.length === 0 ? (
        <p className="muted">No payouts yet. Once your available balance reaches the threshold, the next run pays you.</p>
      ) : (
        <ul className="rows" data-testid="payouts">
          {ofUnit.map((payout) => (
            <li key={payout.id} className="row" data-testid={`payout-${payout.id}`} data-state={payout.state}>
              <div className="row-main">
                <span className="row-title">{methodNames[payout.method] ?? payout.method}</span>
                <span className="muted">
                  {formatDate(payout.executedAt ?? payout.createdAt)}
                  {payout.reason ? ` · ${payout.reason}` : ''}
                </span>
              </div>
              <div className="row-side">
                <Amount value={payout.amount} unit={payout.unit} className="figure-small" />
                <PayoutBadge state={payout.state} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
