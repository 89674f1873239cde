import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type JsonObject = Record<string, unknown>;

/** One payout as a provider stand-in executed it: money left exactly when `executed` is true. */
export interface StandInPayout {
  provider: 'paypal' | 'gift_card';
  payoutId: string;
  reference: string;
  amount: string;
  currency: string;
  recipient: string;
  /** PayPal: the batch, PENDING until polled `pendingPolls` times, then SUCCESS; DENIED for a failing recipient. Gift card: EXECUTED or FAILED. */
  status: string;
  executed: boolean;
  polls: number;
  /**
   * PayPal: what the item answers once its batch is SUCCESS, as set through the admin API (ONHOLD,
   * UNCLAIMED, RETURNED, ...); null: SUCCESS.
   */
  itemStatus: string | null;
}

/** PayPal's item transaction statuses, as its Payouts API documents them. */
export const payPalItemStatuses = ['SUCCESS', 'PENDING', 'ONHOLD', 'UNCLAIMED', 'FAILED', 'RETURNED', 'REFUNDED', 'REVERSED', 'BLOCKED'] as const;
/** Item statuses whose money is not with the receiver: it never arrived or came back to the sender. */
const moneyBackItemStatuses = new Set(['FAILED', 'RETURNED', 'REFUNDED', 'REVERSED', 'BLOCKED']);

/** Faults the next calls get, one per call, in this order of precedence. */
export interface PayoutFaults {
  /** Answer 500 without doing anything. */
  errors: number;
  /** Execute, then answer 500: the caller never learns it succeeded. */
  lostResponses: number;
  /** Execute, then hold the answer until the caller gives up. */
  timeouts: number;
  /** Delay every answer by this long. */
  slowMs: number;
}

/** A held call lets go after this long at most, so a test's shutdown never waits for it. */
const heldCallMsMax = 60_000;

/**
 * The far side of the payout providers: PayPal Payouts and a Tremendous-style gift card API with
 * their idempotency (a repeated sender_batch_id is refused, a repeated external_id answers the
 * existing order), counting how often each payout id was executed and submitted.
 */
export class PayoutStandIns {
  readonly byPayoutId = new Map<string, StandInPayout>();
  readonly byReference = new Map<string, StandInPayout>();
  /** Executions per payout id: more than 1 would be money leaving twice. */
  readonly executions = new Map<string, number>();
  readonly submissions = new Map<string, number>();
  readonly failingRecipients = new Set<string>();
  /** PayPal payouts to these recipients stay PENDING (in flight) until the recipient is released. */
  readonly heldRecipients = new Set<string>();
  /** The item status later PayPal payouts to a recipient answer once their batch succeeds (see itemStatus). */
  readonly itemStatusByRecipient = new Map<string, string>();
  readonly tokens = new Set<string>();
  faults: PayoutFaults = { errors: 0, lostResponses: 0, timeouts: 0, slowMs: 0 };
  pendingPolls = 1;

  constructor(private readonly closing: AbortSignal) {}

  reset(): void {
    this.byPayoutId.clear();
    this.byReference.clear();
    this.executions.clear();
    this.submissions.clear();
    this.failingRecipients.clear();
    this.heldRecipients.clear();
    this.itemStatusByRecipient.clear();
    this.faults = { errors: 0, lostResponses: 0, timeouts: 0, slowMs: 0 };
  }

  /** Creates the payout once; a repeated payout id returns the existing one and `created: false`. */
  execute(provider: StandInPayout['provider'], payoutId: string, amount: string, currency: string, recipient: string): { payout: StandInPayout; created: boolean } {
    this.submissions.set(payoutId, (this.submissions.get(payoutId) ?? 0) + 1);
    const existing = this.byPayoutId.get(payoutId);
    if (existing) return { payout: existing, created: false };
    const failing = this.failingRecipients.has(recipient);
    const payout: StandInPayout = {
      provider, payoutId, amount, currency, recipient, polls: 0,
      reference: `${provider === 'paypal' ? 'PPB' : 'ORD'}${randomBytes(8).toString('hex').toUpperCase()}`,
      status: provider === 'paypal' ? (failing ? 'DENIED' : 'PENDING') : failing ? 'FAILED' : 'EXECUTED',
      executed: !failing,
      itemStatus: provider === 'paypal' ? (this.itemStatusByRecipient.get(recipient) ?? null) : null,
    };
    this.byPayoutId.set(payoutId, payout);
    this.byReference.set(payout.reference, payout);
    if (payout.executed) this.executions.set(payoutId, (this.executions.get(payoutId) ?? 0) + 1);
    return { payout, created: true };
  }

  /** Applies the next fault before the work: 'error' means answer 500 now and do nothing. */
  async before(): Promise<'error' | null> {
    if (this.faults.slowMs > 0) await this.sleep(this.faults.slowMs);
    if (this.faults.errors > 0) {
      this.faults.errors -= 1;
      return 'error';
    }
    return null;
  }

  /** Applies the next fault after the work: the answer is lost or held. */
  async after(reply: FastifyReply): Promise<boolean> {
    if (this.faults.lostResponses > 0) {
      this.faults.lostResponses -= 1;
      await reply.code(500).send({ name: 'INTERNAL_SERVICE_ERROR', message: 'injected: executed, answer lost' });
      return true;
    }
    if (this.faults.timeouts > 0) {
      this.faults.timeouts -= 1;
      await this.sleep(heldCallMsMax);
      await reply.code(504).send({ name: 'TIMEOUT', message: 'injected: held' });
      return true;
    }
    return false;
  }

  summary(): JsonObject {
    const executedTotals: Record<string, string> = {};
    for (const payout of this.byPayoutId.values()) {
      if (!payout.executed) continue;
      executedTotals[payout.currency] = addDecimalText(executedTotals[payout.currency] ?? '0', payout.amount);
    }
    return {
      payouts: this.byPayoutId.size,
      executions: Object.fromEntries(this.executions),
      submissions: Object.fromEntries(this.submissions),
      // `returned`: the money is not with the receiver (an item FAILED, RETURNED, REFUNDED, REVERSED or BLOCKED: see /_admin/payouts/paypal-items).
      executed: [...this.byPayoutId.values()].filter((payout) => payout.executed).map((payout) => ({
        payoutId: payout.payoutId, provider: payout.provider, amount: payout.amount, currency: payout.currency, recipient: payout.recipient,
        itemStatus: payout.provider === 'paypal' ? itemStatusOf(payout) : null, returned: moneyBackItemStatuses.has(payout.itemStatus ?? ''), polls: payout.polls,
      })),
      executedTotals,
      faults: this.faults,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.closing.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}

/** Exact sum of two non-negative decimal strings, without floats (the stand-in's own ledger of what left). */
export function addDecimalText(left: string, right: string): string {
  const scale = Math.max(fractionLength(left), fractionLength(right));
  const toUnits = (text: string) => BigInt(text.replace('.', '') + '0'.repeat(scale - fractionLength(text)));
  const sum = (toUnits(left) + toUnits(right)).toString().padStart(scale + 1, '0');
  if (scale === 0) return sum;
  const whole = sum.slice(0, sum.length - scale);
  const fraction = sum.slice(sum.length - scale).replace(/0+$/, '');
  return fraction.length > 0 ? `${whole}.${fraction}` : whole;
}

function fractionLength(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

export function registerPayoutStandIns(app: FastifyInstance, closing: AbortSignal): PayoutStandIns {
  const standIns = new PayoutStandIns(closing);
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    registerPayPal(scope, standIns);
    registerGiftCards(scope, standIns);
    registerAdmin(scope, standIns);
  });
  return standIns;
}

function registerPayPal(app: FastifyInstance, standIns: PayoutStandIns): void {
  app.post('/v1/oauth2/token', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const body = (request.body ?? {}) as JsonObject;
    if (!header.startsWith('Basic ') || body.grant_type !== 'client_credentials') return reply.code(401).send({ error: 'invalid_client' });
    const token = `A21AA${randomBytes(16).toString('hex')}`;
    standIns.tokens.add(token);
    return { scope: 'https://uri.paypal.com/services/payments/payouts', access_token: token, token_type: 'Bearer', expires_in: 32_400 };
  });
  app.post('/v1/payments/payouts', async (request, reply) => {
    if (!authorised(standIns, request)) return reply.code(401).send({ name: 'AUTHENTICATION_FAILURE' });
    if ((await standIns.before()) === 'error') return reply.code(500).send({ name: 'INTERNAL_SERVICE_ERROR', message: 'injected' });
    const body = (request.body ?? {}) as JsonObject;
    const header = (body.sender_batch_header ?? {}) as JsonObject;
    const item = (Array.isArray(body.items) ? body.items[0] : {}) as JsonObject;
    const amount = (item.amount ?? {}) as JsonObject;
    const senderBatchId = header.sender_batch_id;
    if (typeof senderBatchId !== 'string' || typeof amount.value !== 'string' || !/^\d+(\.\d{1,2})?$/.test(amount.value) || typeof item.receiver !== 'string' || typeof amount.currency !== 'string') {
      return reply.code(400).send({ name: 'VALIDATION_ERROR', message: 'Invalid request - see details', details: [{ issue: 'malformed payout request' }] });
    }
    const { payout, created } = standIns.execute('paypal', senderBatchId, amount.value, amount.currency, item.receiver);
    if (!created) {
      // PayPal refuses a repeated sender_batch_id. The stand-in also names the existing batch id (see README: Payouts).
      return reply.code(400).send({
        name: 'USER_BUSINESS_ERROR', message: 'User business error.',
        details: [{ field: 'SENDER_BATCH_ID', location: 'body', issue: 'Batch with given sender_batch_id already exists', payout_batch_id: payout.reference }],
      });
    }
    if (await standIns.after(reply)) return reply;
    return reply.code(201).send({ batch_header: { payout_batch_id: payout.reference, batch_status: payout.status, sender_batch_header: { sender_batch_id: senderBatchId } } });
  });
  app.get('/v1/payments/payouts/:batchId', async (request, reply) => {
    if (!authorised(standIns, request)) return reply.code(401).send({ name: 'AUTHENTICATION_FAILURE' });
    if ((await standIns.before()) === 'error') return reply.code(500).send({ name: 'INTERNAL_SERVICE_ERROR', message: 'injected' });
    const payout = standIns.byReference.get((request.params as { batchId: string }).batchId);
    if (!payout || payout.provider !== 'paypal') return reply.code(404).send({ name: 'RESOURCE_NOT_FOUND' });
    payout.polls += 1;
    if (payout.status === 'PENDING' && payout.polls >= standIns.pendingPolls && !standIns.heldRecipients.has(payout.recipient)) payout.status = 'SUCCESS';
    const itemStatus = itemStatusOf(payout);
    return {
      batch_header: { payout_batch_id: payout.reference, batch_status: payout.status, sender_batch_header: { sender_batch_id: payout.payoutId }, amount: { value: payout.amount, currency: payout.currency } },
      items: [{ payout_item_id: `I${payout.reference}`, transaction_status: itemStatus, payout_batch_id: payout.reference }],
    };
  });
}

function registerGiftCards(app: FastifyInstance, standIns: PayoutStandIns): void {
  app.post('/api/v2/orders', async (request, reply) => {
    if (!(request.headers.authorization ?? '').startsWith('Bearer ')) return reply.code(401).send({ errors: { message: 'unauthorized' } });
    if ((await standIns.before()) === 'error') return reply.code(500).send({ errors: { message: 'injected' } });
    const body = (request.body ?? {}) as JsonObject;
    const reward = (body.reward ?? {}) as JsonObject;
    const value = (reward.value ?? {}) as JsonObject;
    const recipient = (reward.recipient ?? {}) as JsonObject;
    if (typeof body.external_id !== 'string' || typeof value.denomination !== 'number' || typeof value.currency_code !== 'string' || typeof recipient.email !== 'string') {
      return reply.code(400).send({ errors: { message: 'malformed order' } });
    }
    // The denomination arrives as a JSON number; the stand-in keeps its text as sent (at most 2 decimals).
    const { payout, created } = standIns.execute('gift_card', body.external_id, decimalTextOf(value.denomination), value.currency_code, recipient.email);
    if (created && (await standIns.after(reply))) return reply;
    return reply.code(created ? 201 : 200).send(orderOf(payout));
  });
  app.get('/api/v2/orders/:orderId', async (request, reply) => {
    const payout = standIns.byReference.get((request.params as { orderId: string }).orderId);
    if (!payout || payout.provider !== 'gift_card') return reply.code(404).send({ errors: { message: 'not found' } });
    return orderOf(payout);
  });
}

/** A PayPal item: PENDING while its batch is, FAILED in a DENIED batch, and in a SUCCESS batch what the admin API set (SUCCESS by default). */
function itemStatusOf(payout: StandInPayout): string {
  if (payout.status === 'SUCCESS') return payout.itemStatus ?? 'SUCCESS';
  return payout.status === 'DENIED' ? 'FAILED' : 'PENDING';
}

function orderOf(payout: StandInPayout): JsonObject {
  return { order: { id: payout.reference, external_id: payout.payoutId, status: payout.status, payment: { total: payout.amount }, rewards: [{ id: `R${payout.reference}`, value: { denomination: payout.amount, currency_code: payout.currency } }] } };
}

function decimalTextOf(denomination: number): string {
  return denomination.toFixed(2).replace(/\.?0+$/, '');
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function authorised(standIns: PayoutStandIns, request: FastifyRequest): boolean {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  return match !== null && standIns.tokens.has(match[1]);
}

function registerAdmin(app: FastifyInstance, standIns: PayoutStandIns): void {
  app.get('/_admin/payouts', async () => standIns.summary());
  app.delete('/_admin/payouts', async () => {
    standIns.reset();
    return { reset: true };
  });
  app.post('/_admin/payouts/faults', async (request, reply) => {
    const body = (request.body ?? {}) as Partial<PayoutFaults>;
    const counts = ['errors', 'lostResponses', 'timeouts', 'slowMs'] as const;
    for (const name of counts) {
      const value = body[name];
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1_000_000)) return reply.code(400).send({ error: 'bad-request', message: `${name} must be a non-negative integer` });
    }
    standIns.faults = { ...standIns.faults, ...body };
    return standIns.faults;
  });
  app.post('/_admin/payouts/held-recipients', async (request, reply) => {
    const { recipients, held } = (request.body ?? {}) as JsonObject;
    if (!isStringList(recipients) || typeof held !== 'boolean') return reply.code(400).send({ error: 'bad-request', message: 'the body must be {"recipients": [email...], "held": boolean}' });
    for (const recipient of recipients) {
      if (held) standIns.heldRecipients.add(recipient);
      else standIns.heldRecipients.delete(recipient);
    }
    return { heldRecipients: [...standIns.heldRecipients] };
  });
  // The money of a succeeded PayPal payout comes back: its item answers this status from now on.
  app.post('/_admin/payouts/returns', async (request, reply) => {
    const { recipient, itemStatus } = (request.body ?? {}) as JsonObject;
    if (typeof recipient !== 'string' || !['RETURNED', 'REFUNDED', 'REVERSED', 'BLOCKED'].includes(String(itemStatus))) {
      return reply.code(400).send({ error: 'bad-request', message: 'the body must be {"recipient": email, "itemStatus": "RETURNED" | "REFUNDED" | "REVERSED" | "BLOCKED"}' });
    }
    const returned = [...standIns.byPayoutId.values()].filter((payout) => payout.provider === 'paypal' && payout.recipient === recipient && payout.status === 'SUCCESS');
    for (const payout of returned) payout.itemStatus = String(itemStatus);
    return { returned: returned.map((payout) => payout.payoutId) };
  });
  app.post('/_admin/payouts/paypal-items', async (request, reply) => setItemStatus(standIns, request.body, reply));
  app.post('/_admin/payouts/failing-recipients', async (request, reply) => {
    const recipients = ((request.body ?? {}) as JsonObject).recipients;
    if (!Array.isArray(recipients) || !recipients.every((recipient) => typeof recipient === 'string')) return reply.code(400).send({ error: 'bad-request', message: 'the body must be {"recipients": [email...]}' });
    for (const recipient of recipients as string[]) standIns.failingRecipients.add(recipient);
    return { failingRecipients: [...standIns.failingRecipients] };
  });
}

/**
 * Body: {"itemStatus": one of payPalItemStatuses, or null for SUCCESS again, and either "payoutId"
 * (the sender_batch_id) or "recipient" (an email)}. What a PayPal item answers once its batch is
 * SUCCESS, from now on: for a payout id, that payout's item; for a recipient, the items of their
 * payouts submitted from now on (their earlier payouts keep theirs).
 */
function setItemStatus(standIns: PayoutStandIns, rawBody: unknown, reply: FastifyReply): unknown {
  const { recipient, payoutId, itemStatus } = (rawBody ?? {}) as JsonObject;
  const validStatus = itemStatus === null || (payPalItemStatuses as readonly unknown[]).includes(itemStatus);
  if (!validStatus || (typeof recipient === 'string') === (typeof payoutId === 'string')) {
    return reply.code(400).send({ error: 'bad-request', message: `the body must be {"itemStatus": ${payPalItemStatuses.join(' | ')} | null} with either "payoutId" or "recipient": email` });
  }
  const status = itemStatus as string | null;
  if (typeof recipient === 'string') {
    if (status === null) standIns.itemStatusByRecipient.delete(recipient);
    else standIns.itemStatusByRecipient.set(recipient, status);
    return { recipient, itemStatus: status };
  }
  const payout = standIns.byPayoutId.get(String(payoutId));
  if (payout?.provider !== 'paypal') return reply.code(404).send({ error: 'not-found', message: `no PayPal payout ${String(payoutId)}` });
  payout.itemStatus = status;
  return { payoutId, itemStatus: status };
}
