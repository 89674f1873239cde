import { Balance } from '../graphql/types';
import { compareDecimals, isZero } from '../money';
import { Amount } from './amount';
import { WithheldReasons } from './withheld-reasons';

interface Card {
  key: 'pending' | 'lifetime' | 'paidOut' | 'paidByNetwork';
  label: string;
  hint: string;
}

const cards: Card[] = [
  { key: 'pending', label: 'Pending', hint: 'Waiting for the store or the network to confirm' },
  { key: 'lifetime', label: 'Lifetime earned', hint: 'Everything you have earned, net of returns' },
  { key: 'paidOut', label: 'Paid out', hint: 'Sent to you by us' },
  { key: 'paidByNetwork', label: 'Paid by the network', hint: 'Paid to you directly by the cash-back network' },
];

/**
 * The headline figures of one unit: available first and largest, the others beside it. Available
 * is what the next payout run would pay (spendable, the run's own rule), and the card says what is
 * held back and why: it never shows money a run would not pay.
 */
export function BalanceCards({ balance }: { balance: Balance }) {
  return (
    <section className="cards" aria-label={`Balances in ${balance.unit}`}>
      <article className="card card-primary" data-testid="card-available">
        <h3>Available</h3>
        <Amount value={balance.spendable} unit={balance.unit} className="figure figure-large" />
        {compareDecimals(balance.available, balance.spendable) !== 0 && (
          // The ledger's balance, where the statement's running balance ends; what is withheld below makes the difference.
          <p className="hint" data-testid="card-balance">
            Your balance is <Amount value={balance.available} unit={balance.unit} />
          </p>
        )}
        {isZero(balance.withheld.total) ? (
          <p className="hint">{isZero(balance.spendable) ? 'Nothing to pay out yet' : 'Ready to be paid to you'}</p>
        ) : (
          <WithheldReasons withheld={balance.withheld} unit={balance.unit} />
        )}
      </article>
      {cards.map((card) => (
        <article className="card" key={card.key} data-testid={`card-${card.key}`}>
          <h3>{card.label}</h3>
          <Amount value={balance[card.key]} unit={balance.unit} className="figure" />
          <p className="hint">{card.hint}</p>
        </article>
      ))}
    </section>
  );
}
