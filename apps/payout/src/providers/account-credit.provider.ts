import { PayoutMethod, PayoutProvider, ProviderAnswer, ProviderPayoutRequest } from './payout-provider';

/**
 * The partner credits the user's account inside its own product: the ledger entry is the
 * payout, so it succeeds at once. Non-monetary rewards (credits, points, ...) use it too.
 */
export class AccountCreditProvider implements PayoutProvider {
  readonly method: PayoutMethod = 'account_credit';

  async submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer> {
    return { outcome: 'succeeded', reference: `account-credit:${request.payoutId}` };
  }
}
