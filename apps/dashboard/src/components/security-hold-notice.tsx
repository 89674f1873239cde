import { formatDateTime } from '../dates';
import { SecurityHold } from '../graphql/types';

/** Why no payout leaves for now after a change of payout method, and until when (Earnings.securityHold). */
export function SecurityHoldNotice({ hold }: { hold: SecurityHold }) {
  return (
    <p role="status" className="notice notice-warning" data-testid="security-hold">
      Your payout method was changed on {formatDateTime(hold.methodChangedAt)}. For your security, payouts are on hold until{' '}
      <time dateTime={hold.until} data-testid="security-hold-until">{formatDateTime(hold.until)}</time>.
      If you did not make this change, contact support.
    </p>
  );
}
