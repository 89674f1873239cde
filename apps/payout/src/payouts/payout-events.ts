import { checkPayoutExecuted, checkPayoutFailed, checkPayoutLifecycle, Parsed, PayoutExecuted, PayoutFailed, PayoutRequested, PayoutReturned, PayoutSubmitted } from '@earnings/contracts';
import { Decimal } from '@earnings/domain';

/** What every payout event says of its payout. */
export interface AnnouncedPayout {
  payoutId: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
}

/** The one place payout events are built: each checked against its schema before it reaches the outbox. */
export const payoutEvents = {
  requested: (payout: AnnouncedPayout, requestedAt: string): PayoutRequested =>
    checked(checkPayoutLifecycle, { type: 'PayoutRequested', ...fieldsOf(payout), requestedAt }),
  submitted: (payout: AnnouncedPayout, submittedAt: string): PayoutSubmitted =>
    checked(checkPayoutLifecycle, { type: 'PayoutSubmitted', ...fieldsOf(payout), submittedAt }),
  executed: (payout: AnnouncedPayout, providerReference: string | null, coveredCommissions: PayoutExecuted['coveredCommissions'], executedAt: string): PayoutExecuted =>
    checked(checkPayoutExecuted, { type: 'PayoutExecuted', ...fieldsOf(payout), providerReference, coveredCommissions, executedAt }),
  failed: (payout: AnnouncedPayout, reason: string, failedAt: string): PayoutFailed =>
    checked(checkPayoutFailed, { type: 'PayoutFailed', ...fieldsOf(payout), reason: reason.slice(0, 2000), failedAt }),
  returned: (payout: AnnouncedPayout, reason: string, returnedAt: string): PayoutReturned =>
    checked(checkPayoutLifecycle, { type: 'PayoutReturned', ...fieldsOf(payout), reason: reason.slice(0, 2000), returnedAt }),
};

function fieldsOf(payout: AnnouncedPayout) {
  return { schemaVersion: 1 as const, payoutId: payout.payoutId, aui: payout.aui, unit: payout.unit, amount: new Decimal(payout.amount).toFixed(), method: payout.method };
}

/** An event that breaks its own schema is a programmer error: it must never reach a consumer. */
function checked<T extends { type: string; payoutId: string }>(check: (value: unknown) => Parsed<unknown>, event: T): T {
  const result = check(event);
  if (!result.ok) throw new Error(`${event.type} of ${event.payoutId} breaks its schema: ${result.reason}`);
  return event;
}
