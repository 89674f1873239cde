/**
 * A user's balance in one unit after the ledger applied one or more events. Keyed by AUI.
 * `sequence` increases by one for every change of that AUI (all units), so a consumer can
 * drop a stale or repeated message by comparing it with the last sequence it saw.
 */
export interface BalanceChanged {
  type: 'BalanceChanged';
  schemaVersion: 1;
  aui: string;
  unit: string;
  sequence: string;
  lifetime: string;
  pending: string;
  available: string;
  paidOut: string;
  paidByNetwork: string;
  /** Payouts requested or at the provider: held, already out of `available`. */
  reserved: string;
  /** Returns and refunds not settled yet (negative amounts still pending, confirmed or ready): 0 or less; withheld from payouts. */
  pendingReversals: string;
  /** Observation and payout ids whose application caused this change. */
  causedBy: string[];
  changedAt: string;
}
