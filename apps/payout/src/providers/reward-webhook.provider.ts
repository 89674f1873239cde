import { createHmac } from 'node:crypto';
import { callProvider, PayoutProvider, ProviderAnswer, ProviderHttpOptions, ProviderPayoutRequest } from './payout-provider';

export interface RewardWebhookOptions extends ProviderHttpOptions {
  secret: string;
}

/**
 * Delivers a reward (credits, points, free months, ...) by a signed POST to the partner, which
 * grants it in its product. `X-Payout-Id` is the idempotency key: the partner must grant a payout
 * id once, however often it is delivered (a crash between its 2xx and our commit repeats it).
 * Any answer but a 2xx is retried with backoff, a 4xx too: a refusal (a user the partner's system
 * does not know yet, a wrong secret) is fixed on the partner's side, and a reward FirstPromoter
 * may already count as fulfilled must not be lost. An operator gives up a delivery through the
 * admin API (POST /admin/payouts/:payoutId/give-up).
 */
export class RewardWebhookProvider implements PayoutProvider {
  readonly method = 'http_webhook';

  constructor(private readonly options: RewardWebhookOptions) {}

  async submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer> {
    const body = JSON.stringify({ type: 'RewardDelivery', payoutId: request.payoutId, aui: request.aui, unit: request.unit, amount: request.amountText });
    const signature = createHmac('sha256', this.options.secret).update(body).digest('hex');
    const answer = await callProvider(this.options.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payout-id': request.payoutId, 'x-signature': `sha256=${signature}` },
      body,
    }, this.options.timeoutMs);
    if (answer.status === null) return { outcome: 'retry', reason: answer.reason };
    if (answer.status >= 200 && answer.status < 300) return { outcome: 'succeeded', reference: `webhook:${request.payoutId}` };
    return { outcome: 'retry', reason: `reward webhook answered ${answer.status}; retried until delivered or given up` };
  }
}
