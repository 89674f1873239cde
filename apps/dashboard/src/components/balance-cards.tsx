import { Balance } from '../graphql/types';
import { isNegative, isZero } from '../money';
import { Amount } from './amount';

interface Card {
  key: keyof Balance;
  label: string;
  hint: string;
}

const cards: Card[] = [
  { key: 'pending', label: 'Pending', hint: 'Waiting for the store or the network to confirm' },
  { key: 'lifetime', label: 'Lifetime earned', hint: 'Everything you have earned, net of returns' },
  { key: 'paidOut', label: 'Paid out', hint: 'Sent to you by us' },
  { key: 'paidByNetwork', label: 'Paid by the network', hint: 'Paid to you directly by the cash-back network' },
];

/** The headline figures of one unit: available first and largest, the others beside it. */
export function BalanceCards({ balance }: { balance: Balance }) {
  return (
    <section className="cards" aria-label={`Balances in ${balance.unit}`}>
      <article className="card card-primary" data-testid="card-available">
        <h3>Available</h3>
        <Amount value={balance.available} unit={balance.unit} className="figure figure-large" />
        <p className="hint">
          {isNegative(balance.available) ? 'A return after a payout: later earnings make this up first.' : 'Ready to be paid to you'}
          {!isZero(balance.reserved) && (
            <>
              {' · '}
              <Amount value={balance.reserved} unit={balance.unit} /> on its way to you
            </>
          )}
        </p>
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
