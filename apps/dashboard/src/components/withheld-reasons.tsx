import { Withheld, WithheldReason } from '../graphql/types';
import { Amount } from './amount';

/** Why part of what the user earned is not paid by the next run, each reason with its amount (Balance.withheld). */
export function WithheldReasons({ withheld, unit }: { withheld: Withheld; unit: string }) {
  return (
    <div className="withheld" data-testid="withheld">
      <p>
        <Amount value={withheld.total} unit={unit} /> held back from your next payout:
      </p>
      <ul>
        {withheld.reasons.map((reason, index) => (
          <li key={`${reason.reason}-${reason.merchantOrderId ?? reason.commissionId ?? index}`} data-testid={`withheld-${reason.reason}`}>
            <Amount value={reason.amount} unit={unit} /> {wordsOf(reason)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A reason in the user's words; one this page does not know yet (the API may add more) by its amount alone. */
function wordsOf(reason: WithheldReason): string {
  switch (reason.reason) {
    case 'PENDING_RETURN': {
      const store = reason.merchant?.name ?? (reason.merchantId === null ? null : `Store ${reason.merchantId}`);
      const where = reason.merchantOrderId === null ? '' : ` on ${store === null ? '' : `${store} `}order ${reason.merchantOrderId}`;
      return `for a return${where} that is not settled yet`;
    }
    case 'PAYOUT_IN_FLIGHT':
      return 'on its way to you';
    case 'PAYOUT_IN_REVIEW':
      return 'in a payout being reviewed before it is sent to you';
    case 'COMMISSION_UNDER_REVIEW':
      return `from commission ${reason.commissionId ?? ''} being reviewed by our fraud checks: paid once cleared`;
    case 'COMMISSION_REJECTED':
      return `from commission ${reason.commissionId ?? ''} rejected in our fraud review: not paid out`;
    case 'UNCOLLECTED':
      return 'paid to you before a return or correction took it back: later earnings make it up first';
    default:
      return 'held for review';
  }
}
