import { commissionFigureSql } from './ledger-rule';

/**
 * The commissions a fraud check flagged that the payout service holds (held, or rejected for
 * good), each with what it makes payable today by the ledger's rule: from the payout service's
 * published view payout_commission_hold and the ledger's view ledger.commission. The payout run
 * and the page both read them so, so what the page shows held is what the run holds.
 * `where` filters on `fc` (ledger.commission) with the caller's parameters.
 */
export function flaggedCommissionsSql(where: string): string {
  return `SELECT fc.aui, fc.unit, fh.source, fh.commission_id, fh.decision,
                 ${commissionFigureSql('payable', 'fc.state', 'fc.user_amount', 'fc.paid_by_network', 'fc.merchant_order_id')} AS payable
            FROM payout_commission_hold fh JOIN ledger.commission fc ON fc.source = fh.source AND fc.commission_id = fh.commission_id
           WHERE ${where}`;
}
