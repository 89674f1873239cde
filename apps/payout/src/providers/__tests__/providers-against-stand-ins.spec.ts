import Fastify, { FastifyInstance } from 'fastify';
import { PayoutStandIns, registerPayoutStandIns } from '../../../../partner-simulator/src/payouts/payout-stand-ins';
import { GiftCardProvider } from '../gift-card.provider';
import { ProviderPayoutRequest } from '../payout-provider';
import { PayPalProvider } from '../paypal.provider';

/** The HTTP providers against the simulator's stand-ins: the idempotency paths a crash takes. */
describe('payout providers against the stand-ins', () => {
  let app: FastifyInstance;
  let standIns: PayoutStandIns;
  let baseUrl: string;
  const closing = new AbortController();
  const request = (payoutId: string, knownReference: string | null = null, destination = 'user@example.com'): ProviderPayoutRequest =>
    ({ payoutId, aui: 'u1', unit: 'USD', amountText: '12.30', destination, knownReference });

  beforeAll(async () => {
    app = Fastify();
    standIns = registerPayoutStandIns(app, closing.signal);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    closing.abort();
    await app.close();
  });
  beforeEach(() => standIns.reset());

  const paypal = () => new PayPalProvider({ baseUrl, timeoutMs: 500, clientId: 'id', clientSecret: 'secret' });
  const giftCards = () => new GiftCardProvider({ baseUrl, timeoutMs: 500, apiKey: 'key', fundingSourceId: 'balance' });

  it('PayPal: submitted (pending), then polled to success', async () => {
    const provider = paypal();
    const first = await provider.submitOrPoll(request('po_1'));
    expect(first).toEqual({ outcome: 'pending', reference: expect.stringMatching(/^PPB/), status: 'paypal batch PENDING' });
    const reference = first.outcome === 'pending' ? first.reference : null;
    expect(await provider.submitOrPoll(request('po_1', reference))).toEqual({ outcome: 'succeeded', reference });
    expect(standIns.executions.get('po_1')).toBe(1);
  });

  it.each([
    ['SUCCESS', { outcome: 'succeeded' }],
    // Still on its way: polled, never counted paid.
    ['PENDING', { outcome: 'pending', status: 'paypal item PENDING' }],
    ['ONHOLD', { outcome: 'pending', status: 'paypal item ONHOLD' }],
    ['UNCLAIMED', { outcome: 'pending', status: 'paypal item UNCLAIMED' }],
    // Did not reach the receiver: a failure before success, a return after it (the state machine decides which).
    ['FAILED', { outcome: 'failed', reason: 'paypal item FAILED' }],
    ['RETURNED', { outcome: 'returned', reason: 'paypal item RETURNED' }],
    ['REFUNDED', { outcome: 'returned', reason: 'paypal item REFUNDED' }],
    ['REVERSED', { outcome: 'returned', reason: 'paypal item REVERSED' }],
    ['BLOCKED', { outcome: 'returned', reason: 'paypal item BLOCKED' }],
  ])('PayPal: an item %s inside a SUCCESS batch answers %j', async (itemStatus, expected) => {
    standIns.itemStatusByRecipient.set('items@example.com', itemStatus);
    const provider = paypal();
    const first = await provider.submitOrPoll(request('po_items', null, 'items@example.com'));
    const reference = first.outcome === 'pending' ? first.reference : null;
    expect(standIns.byReference.get(reference ?? '')?.status).toBe('PENDING');
    expect(await provider.submitOrPoll(request('po_items', reference, 'items@example.com'))).toEqual(expect.objectContaining(expected));
  });

  it('PayPal: an answer lost after execution, then a repeated submission, is "already submitted" and polled — executed once', async () => {
    standIns.faults.lostResponses = 1;
    const provider = paypal();
    expect((await provider.submitOrPoll(request('po_2'))).outcome).toBe('retry');
    const again = await provider.submitOrPoll(request('po_2'));
    expect(again.outcome === 'pending' || again.outcome === 'succeeded').toBe(true);
    expect(standIns.executions.get('po_2')).toBe(1);
    expect(standIns.submissions.get('po_2')).toBe(2);
  });

  it('PayPal: a timeout is a retry, never a failure', async () => {
    standIns.faults.timeouts = 1;
    expect((await paypal().submitOrPoll(request('po_3'))).outcome).toBe('retry');
  });

  it('PayPal: a refused recipient is a definitive failure', async () => {
    standIns.failingRecipients.add('bad@example.com');
    expect(await paypal().submitOrPoll(request('po_4', null, 'bad@example.com'))).toEqual({ outcome: 'failed', reason: 'paypal batch DENIED' });
    expect(standIns.executions.get('po_4')).toBeUndefined();
  });

  it('gift card: a repeated external_id answers the existing order — executed once', async () => {
    const provider = giftCards();
    const first = await provider.submitOrPoll(request('po_5'));
    const second = await provider.submitOrPoll(request('po_5'));
    expect(first).toEqual({ outcome: 'succeeded', reference: expect.stringMatching(/^ORD/) });
    expect(second).toEqual(first);
    expect(standIns.executions.get('po_5')).toBe(1);
    expect(standIns.byPayoutId.get('po_5')?.amount).toBe('12.3');
  });

  it('gift card: a 5xx is a retry', async () => {
    standIns.faults.errors = 1;
    expect((await giftCards().submitOrPoll(request('po_6'))).outcome).toBe('retry');
    expect(standIns.executions.get('po_6')).toBeUndefined();
  });
});
