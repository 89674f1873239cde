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

/** What a commission version adds to `figure`; the arguments are SQL expressions (column names). */
export function commissionFigureSql(figure: LedgerFigureColumn, state: string, userAmount: string, paidByNetwork: string): string {
  return `ledger_commission_figure('${figure}', ${state}, ${userAmount}, ${paidByNetwork})`;
}

/** What a payout in `state` adds to `figure`. */
export function payoutFigureSql(figure: LedgerFigureColumn, state: string, amount: string): string {
  return `ledger_payout_figure('${figure}', ${state}, ${amount})`;
}

/**
 * A contribution row's `figure`: the rows name their kind (`commission` or `payout`), state,
 * amount and network split in the columns `kind`, `state`, `amount`, `paid_by_network`.
 */
export function contributionFigureSql(figure: LedgerFigureColumn, alias = ''): string {
  const column = (name: string) => (alias === '' ? name : `${alias}.${name}`);
  return `CASE ${column('kind')} WHEN 'commission' THEN ${commissionFigureSql(figure, column('state'), column('amount'), column('paid_by_network'))}`
    + ` WHEN 'payout' THEN ${payoutFigureSql(figure, column('state'), column('amount'))} END`;
}

/** Whether a version dated `candidate` applies after the newest one known (NULL: none known). */
export function supersedesSql(candidate: string, newestKnown: string): string {
  return `ledger_supersedes(${candidate}, ${newestKnown})`;
}
