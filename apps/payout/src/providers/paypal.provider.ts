import { callProvider, isRetryableStatus, PayoutMethod, PayoutProvider, ProviderAnswer, ProviderHttpOptions, ProviderPayoutRequest } from './payout-provider';

export interface PayPalOptions extends ProviderHttpOptions {
  clientId: string;
  clientSecret: string;
}

type JsonObject = Record<string, unknown>;

/** Renew the OAuth token this long before PayPal says it expires. */
const tokenRenewMarginMs = 60_000;

/**
 * PayPal Payouts API. `sender_batch_id` is the payout id: PayPal rejects a repeated one, which
 * here means "already submitted", and the batch is then polled by its payout_batch_id.
 */
export class PayPalProvider implements PayoutProvider {
  readonly method: PayoutMethod = 'paypal';
  private token: { value: string; expiresAtMs: number } | null = null;

  constructor(private readonly options: PayPalOptions) {}

  async submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer> {
    if (request.knownReference !== null) return this.poll(request.knownReference);
    const token = await this.accessToken();
    if (typeof token !== 'string') return token;
    const answer = await callProvider(`${this.options.baseUrl}/v1/payments/payouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'paypal-request-id': request.payoutId },
      body: JSON.stringify({
        sender_batch_header: { sender_batch_id: request.payoutId, email_subject: 'You have a payout' },
        items: [{ recipient_type: 'EMAIL', amount: { value: request.amountText, currency: request.unit }, receiver: request.destination, sender_item_id: request.payoutId }],
      }),
    }, this.options.timeoutMs);
    if (answer.status === null) return { outcome: 'retry', reason: answer.reason };
    if (answer.status === 401) this.token = null;
    if (answer.status === 201 || answer.status === 200) return batchAnswer(answer.body as JsonObject);
    const duplicateOf = duplicateBatchId(answer.body);
    if (duplicateOf !== undefined) {
      // Already submitted by an earlier attempt whose answer was lost: follow that batch.
      return duplicateOf === null ? { outcome: 'retry', reason: 'duplicate sender_batch_id without the batch id' } : this.poll(duplicateOf);
    }
    if (isRetryableStatus(answer.status) || answer.status === 401) return { outcome: 'retry', reason: `paypal answered ${answer.status}` };
    return { outcome: 'failed', reason: `paypal refused: ${answer.status} ${errorName(answer.body)}` };
  }

  private async poll(batchId: string): Promise<ProviderAnswer> {
    const token = await this.accessToken();
    if (typeof token !== 'string') return token;
    const answer = await callProvider(`${this.options.baseUrl}/v1/payments/payouts/${encodeURIComponent(batchId)}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    }, this.options.timeoutMs);
    if (answer.status === null) return { outcome: 'retry', reason: answer.reason };
    if (answer.status === 200) return batchAnswer(answer.body as JsonObject);
    if (answer.status === 401) this.token = null;
    return { outcome: 'retry', reason: `paypal status answered ${answer.status}` };
  }

  private async accessToken(): Promise<string | ProviderAnswer> {
    if (this.token !== null && this.token.expiresAtMs - tokenRenewMarginMs > Date.now()) return this.token.value;
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const answer = await callProvider(`${this.options.baseUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }, this.options.timeoutMs);
    if (answer.status !== 200) return { outcome: 'retry', reason: `paypal token: ${answer.status === null ? answer.reason : answer.status}` };
    const body = answer.body as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') return { outcome: 'retry', reason: 'paypal token answer without access_token' };
    const expiresInSeconds = typeof body.expires_in === 'number' ? body.expires_in : 300;
    this.token = { value: body.access_token, expiresAtMs: Date.now() + expiresInSeconds * 1000 };
    return this.token.value;
  }
}

/**
 * A batch's status as the state machine's words. A batch DENIED or CANCELED never paid; a batch
 * still PENDING or PROCESSING is on its way; in a SUCCESS batch the single item decides (itemAnswer).
 */
function batchAnswer(body: JsonObject): ProviderAnswer {
  const header = (body.batch_header ?? {}) as JsonObject;
  const batchId = typeof header.payout_batch_id === 'string' ? header.payout_batch_id : null;
  if (batchId === null) return { outcome: 'retry', reason: 'paypal answer without payout_batch_id' };
  const status = String(header.batch_status ?? '');
  switch (status) {
    case 'DENIED':
    case 'CANCELED':
      return { outcome: 'failed', reason: `paypal batch ${status}` };
    case 'SUCCESS': {
      const items = Array.isArray(body.items) ? (body.items as JsonObject[]) : [];
      // A finished batch without its item says nothing about the money: ask again rather than count it paid.
      if (items.length === 0) return { outcome: 'pending', reference: batchId, status: 'paypal batch SUCCESS without its item' };
      return itemAnswer(batchId, String(items[0].transaction_status ?? ''));
    }
    default:
      return { outcome: 'pending', reference: batchId, status: `paypal batch ${status || '(no status)'}` };
  }
}

/**
 * Only a SUCCESS item reached the receiver. PENDING (processing), ONHOLD (held for review) and
 * UNCLAIMED (the receiver has no account yet; RETURNED after 30 days) are still on their way. FAILED
 * means the money did not arrive: before success the payout fails and its hold is released, after
 * success the state machine makes it a return, like RETURNED, REFUNDED, REVERSED and BLOCKED. A
 * status PayPal adds later is never counted paid: the payout stays in flight and is asked again.
 */
function itemAnswer(batchId: string, itemStatus: string): ProviderAnswer {
  switch (itemStatus) {
    case 'SUCCESS':
      return { outcome: 'succeeded', reference: batchId };
    case 'PENDING':
    case 'ONHOLD':
    case 'UNCLAIMED':
      return { outcome: 'pending', reference: batchId, status: `paypal item ${itemStatus}` };
    case 'FAILED':
    case 'DENIED':
      return { outcome: 'failed', reason: `paypal item ${itemStatus}` };
    case 'RETURNED':
    case 'REFUNDED':
    case 'REVERSED':
    case 'BLOCKED':
      return { outcome: 'returned', reason: `paypal item ${itemStatus}` };
    default:
      return { outcome: 'pending', reference: batchId, status: `paypal item ${itemStatus || '(no status)'}, not a status this service knows` };
  }
}

/**
 * PayPal rejects a repeated sender_batch_id with USER_BUSINESS_ERROR naming SENDER_BATCH_ID.
 * Returns the existing batch id when the answer carries it, null when it does not, undefined
 * when the answer is not a duplicate at all.
 */
function duplicateBatchId(body: unknown): string | null | undefined {
  const error = (body ?? {}) as JsonObject;
  if (error.name !== 'USER_BUSINESS_ERROR') return undefined;
  const details = Array.isArray(error.details) ? (error.details as JsonObject[]) : [];
  const duplicate = details.find((detail) => String(detail.field ?? '').toUpperCase().includes('SENDER_BATCH_ID'));
  if (duplicate === undefined) return undefined;
  return typeof duplicate.payout_batch_id === 'string' ? duplicate.payout_batch_id : null;
}

function errorName(body: unknown): string {
  const error = (body ?? {}) as JsonObject;
  return typeof error.name === 'string' ? error.name : 'error';
}
