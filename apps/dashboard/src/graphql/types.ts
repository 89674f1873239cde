/** The shapes the dashboard reads from the query service (apps/query/src/graphql/schema.graphql). Money fields are decimal strings. */
export type CommissionState = 'PENDING' | 'CONFIRMED' | 'READY' | 'PAYABLE' | 'REJECTED';
export const commissionStates: readonly CommissionState[] = ['PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED'];

export interface Balance {
  unit: string;
  lifetime: string;
  pending: string;
  available: string;
  paidOut: string;
  paidByNetwork: string;
  reserved: string;
  pendingReversals: string;
  uncollected: string;
  /** What the next payout run would pay now (before the threshold): the figure the Available card shows. */
  spendable: string;
  withheld: Withheld;
}

/** More reasons may come from the API: the page shows one it does not know by its amount. */
export type WithheldReasonKind = 'PENDING_RETURN' | 'PAYOUT_IN_FLIGHT' | 'PAYOUT_IN_REVIEW' | 'COMMISSION_UNDER_REVIEW' | 'COMMISSION_REJECTED' | 'UNCOLLECTED' | (string & {});

export interface WithheldReason {
  reason: WithheldReasonKind;
  amount: string;
  source: string | null;
  merchantId: string | null;
  merchant: { name: string | null } | null;
  merchantOrderId: string | null;
  commissionId: string | null;
}

export interface Withheld {
  total: string;
  reasons: WithheldReason[];
}

/** A change of payout method holds the user's payouts until `until` (Earnings.securityHold). */
export interface SecurityHold {
  until: string;
  methodChangedAt: string;
}

export interface Earnings {
  aui: string;
  updatedAt: string | null;
  balances: Balance[];
  securityHold: SecurityHold | null;
}

export interface PayoutSchedule {
  unit: string;
  threshold: string | null;
  available: string;
  spendable: string;
  remaining: string | null;
  reached: boolean;
  /** The next run's payout waits for the programme's review before it is sent. */
  review: boolean;
  nextRunAt: string | null;
}

export type PayoutState = 'requested' | 'submitted' | 'succeeded' | 'failed' | 'returned';

export interface Payout {
  id: string;
  unit: string;
  amount: string;
  method: string;
  state: PayoutState;
  createdAt: string;
  executedAt: string | null;
  endedAt: string | null;
  reason: string | null;
}

/** A store as Wildfire's merchant directory names it; name and logo are null until the directory knows it. */
export interface Merchant {
  id: string;
  name: string | null;
  logoUrl: string | null;
}

export interface Transaction {
  source: string;
  commissionId: string;
  state: CommissionState;
  amount: string;
  unit: string;
  saleAmount: string | null;
  saleCurrency: string | null;
  merchantId: string | null;
  merchant: Merchant | null;
  merchantOrderId: string | null;
  eventDate: string | null;
  modifiedDate: string;
  lockingDate: string | null;
  statusExplanation: string;
  paidOutAmount: string;
}

export interface CommissionVersion {
  modifiedDate: string;
  state: CommissionState;
  sourceStatus: string;
  amount: string;
  unit: string;
  appliedAt: string;
  statusExplanation: string;
}

export interface EarningsSeries {
  unit: string;
  points: { at: string; lifetime: string; paidOut: string }[];
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A commission waiting to become available, as "why is money pending" needs it. */
export type WaitingTransaction = Pick<Transaction, 'source' | 'state' | 'amount' | 'unit' | 'eventDate' | 'lockingDate' | 'statusExplanation'>;

export interface Summary {
  earnings: Earnings;
  payoutSchedule: PayoutSchedule[];
  payouts: { edges: { node: Payout }[] };
  earningsHistory: EarningsSeries[];
  waiting: { edges: { node: WaitingTransaction }[] };
}

export type StatementLineKind = 'COMMISSION' | 'CLAWBACK' | 'PAYOUT_REQUESTED' | 'PAYOUT_PAID' | 'PAYOUT_FAILED' | 'PAYOUT_RETURNED';

export interface StatementLine {
  at: string;
  kind: StatementLineKind;
  amount: string;
  balance: string;
  source: string | null;
  commissionId: string | null;
  payoutId: string | null;
  description: string;
}

export interface Statement {
  opening: string;
  closing: string;
  lines: Page<StatementLine>;
}
