/**
 * How SQL calls the ledger's rule. The rule itself is PostgreSQL functions created by one
 * migration (migrations/1763700012000-ledger-rule.ts): ledger_supersedes (which version of a
 * commission wins), ledger_commission_figure and ledger_payout_figure (what a commission's latest
 * version and a payout add to each figure of a balance), ledger_available. These helpers only
 * spell the calls, so every statement names the figures the same way.
 */

/** The stored figures of a balance, as columns of the balance table and names the rule functions take. */
export const ledgerFigureColumns = ['lifetime', 'pending', 'payable', 'paid_by_network', 'paid_out', 'reserved', 'pending_reversals'] as const;
export type LedgerFigureColumn = (typeof ledgerFigureColumns)[number];
/** The figures of a merchant order, from which what it withholds for its returns comes (ledger_order_withheld). */
export const orderFigureColumns = ['order_payable', 'order_pending_negative'] as const;
export type OrderFigureColumn = (typeof orderFigureColumns)[number];

/** The columns of a commission version the rule reads, as SQL expressions (`alias.` prefixed). */
export const commissionRuleColumns = (alias: string): [string, string, string, string] =>
  [`${alias}.state`, `${alias}.user_amount`, `${alias}.paid_by_network`, `${alias}.merchant_order_id`];

/** What a commission version adds to `figure`; the arguments are SQL expressions (column names). */
export function commissionFigureSql(figure: LedgerFigureColumn | OrderFigureColumn, state: string, userAmount: string, paidByNetwork: string, merchantOrderId: string): string {
  return `ledger_commission_figure('${figure}', ${state}, ${userAmount}, ${paidByNetwork}, ${merchantOrderId})`;
}

/** What a payout in `state` adds to `figure`. */
export function payoutFigureSql(figure: LedgerFigureColumn, state: string, amount: string): string {
  return `ledger_payout_figure('${figure}', ${state}, ${amount})`;
}

/** What a merchant order with these figures withholds for its returns not settled yet (0 or less). */
export function orderWithheldSql(orderPayable: string, orderPendingNegative: string): string {
  return `ledger_order_withheld(${orderPayable}, ${orderPendingNegative})`;
}

/** Whether a version dated `candidate` applies after the newest one known (NULL: none known). */
export function supersedesSql(candidate: string, newestKnown: string): string {
  return `ledger_supersedes(${candidate}, ${newestKnown})`;
}
