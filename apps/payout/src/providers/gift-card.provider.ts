import { callProvider, isRetryableStatus, PayoutMethod, PayoutProvider, ProviderAnswer, ProviderHttpOptions, ProviderPayoutRequest } from './payout-provider';

export interface GiftCardOptions extends ProviderHttpOptions {
  apiKey: string;
  fundingSourceId: string;
}

type JsonObject = Record<string, unknown>;

/**
 * Tremendous-style gift card orders. `external_id` is the payout id: a repeated one answers the
 * existing order, so submitting again after a crash is how its status is read.
 */
export class GiftCardProvider implements PayoutProvider {
  readonly method: PayoutMethod = 'gift_card';

  constructor(private readonly options: GiftCardOptions) {}

  async submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer> {
    const headers = { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' };
    const answer = request.knownReference !== null
      ? await callProvider(`${this.options.baseUrl}/api/v2/orders/${encodeURIComponent(request.knownReference)}`, { method: 'GET', headers }, this.options.timeoutMs)
      : await callProvider(`${this.options.baseUrl}/api/v2/orders`, { method: 'POST', headers, body: orderBody(request, this.options.fundingSourceId) }, this.options.timeoutMs);
    if (answer.status === null) return { outcome: 'retry', reason: answer.reason };
    if (answer.status === 200 || answer.status === 201) return orderAnswer(answer.body as JsonObject);
    if (isRetryableStatus(answer.status) || answer.status === 401 || request.knownReference !== null) return { outcome: 'retry', reason: `gift card answered ${answer.status}` };
    return { outcome: 'failed', reason: `gift card refused: ${answer.status}` };
  }
}

/** The denomination goes on the wire as a JSON number written from the exact decimal text, never through a float. */
function orderBody(request: ProviderPayoutRequest, fundingSourceId: string): string {
  const placeholder = '"__DENOMINATION__"';
  const body = JSON.stringify({
    external_id: request.payoutId,
    payment: { funding_source_id: fundingSourceId },
    reward: {
      value: { denomination: '__DENOMINATION__', currency_code: request.unit },
      delivery: { method: 'EMAIL' },
      recipient: { name: request.aui, email: request.destination },
    },
  });
  if (!/^\d+(\.\d+)?$/.test(request.amountText)) throw new Error(`payout ${request.payoutId} has a malformed amount`);
  return body.replace(placeholder, request.amountText);
}

function orderAnswer(body: JsonObject): ProviderAnswer {
  const order = (body.order ?? {}) as JsonObject;
  const orderId = typeof order.id === 'string' ? order.id : null;
  if (orderId === null) return { outcome: 'retry', reason: 'gift card answer without order id' };
  const status = String(order.status ?? '');
  switch (status) {
    case 'EXECUTED':
      return { outcome: 'succeeded', reference: orderId };
    case 'FAILED':
      return { outcome: 'failed', reason: `gift card order ${status}` };
    // A cancelled order gives the money back: a return after success, a failure before it.
    case 'CANCELED':
      return { outcome: 'returned', reason: `gift card order ${status}` };
    default:
      return { outcome: 'pending', reference: orderId, status: `gift card order ${status || '(no status)'}` };
  }
}
