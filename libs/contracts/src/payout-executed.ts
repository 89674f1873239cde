/**
 * Money (or a non-monetary reward) left for a user. The ledger adds `amount` to `paidOut`.
 * `payoutId` is the idempotency key: the ledger applies a payout id once, however often it is replayed.
 */
export interface PayoutExecuted {
  type: 'PayoutExecuted';
  schemaVersion: 1;
  payoutId: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
  providerReference: string | null;
  /** The commissions this payout covered, for audit. */
  coveredCommissions: { source: string; commissionId: string }[];
  executedAt: string;
}
