import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { QueryContext } from '../graphql/query-context';
import type { CommissionVersion, Transaction } from '../earnings/earnings.service';
import type { WithheldReasonView } from '../earnings/spendable-balance';
import { MerchantView } from './merchant.repository';

/**
 * What a transaction shows beside the ledger's own figures, read from ingest's published views:
 * the store (Wildfire's merchant directory) and, on ~unattributed's commissions, the tracking code
 * as sent. Per-request loaders batch every row of a page into one statement each. Access was
 * checked by the query that produced the row.
 */
@Resolver('Transaction')
export class TransactionFieldsResolver {
  /** Only Wildfire names merchants; a FirstPromoter referral has none. */
  @ResolveField('merchant')
  async merchant(@Parent() transaction: Transaction, @Context() context: QueryContext): Promise<MerchantView | null> {
    if (transaction.source !== 'wildfire' || transaction.merchantId === null) return null;
    return context.merchantLoader.load(transaction.merchantId);
  }

  @ResolveField('trackingCodeAsSent')
  async trackingCodeAsSent(@Parent() transaction: Transaction, @Context() context: QueryContext): Promise<string | null> {
    return context.trackingCodeLoader.load(transaction);
  }
}

@Resolver('CommissionVersion')
export class CommissionVersionFieldsResolver {
  /** Only on the reader's own versions: a code sent with another owner's version could name that owner. */
  @ResolveField('trackingCodeAsSent')
  async trackingCodeAsSent(@Parent() version: CommissionVersion, @Context() context: QueryContext): Promise<string | null> {
    if (version.owner !== 'YOU') return null;
    return context.trackingCodeLoader.load(version);
  }
}

/** The store of a pending return's order, as a transaction names it. */
@Resolver('WithheldReason')
export class WithheldReasonFieldsResolver {
  @ResolveField('merchant')
  async merchant(@Parent() reason: WithheldReasonView, @Context() context: QueryContext): Promise<MerchantView | null> {
    if (reason.source !== 'wildfire' || reason.merchantId === null) return null;
    return context.merchantLoader.load(reason.merchantId);
  }
}
