import { createHmac } from 'node:crypto';
import Decimal from 'decimal.js';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commissionJson, FirstPromoterCommission, generateProgram, isDropped, latestVersion } from './firstpromoter-program';

export interface FirstPromoterStandInOptions {
  seed: string;
  auiPrefix: string;
  promoters: number;
  commissions: number;
  apiKey: string;
  accountId: string;
  webhookSecret: string;
}

/** Read from the environment with development defaults, like the rest of the simulator. */
export function firstPromoterStandInOptions(env: NodeJS.ProcessEnv, seed: string, auiPrefix: string): FirstPromoterStandInOptions {
  return {
    seed,
    auiPrefix,
    promoters: Number(env.SIMULATOR_FIRSTPROMOTER_PROMOTERS || 20),
    commissions: Number(env.SIMULATOR_FIRSTPROMOTER_COMMISSIONS || 60),
    apiKey: env.FIRSTPROMOTER_API_KEY || 'dev-firstpromoter-key',
    accountId: env.FIRSTPROMOTER_ACCOUNT_ID || 'dev-account',
    webhookSecret: env.SIMULATOR_FIRSTPROMOTER_WEBHOOK_SECRET || 'dev-firstpromoter-webhook-secret',
  };
}

const apiPrefix = '/api/v2/company';
const actions = ['approve', 'deny', 'mark_fulfilled', 'mark_unfulfilled'] as const;
type Action = (typeof actions)[number];
/** FirstPromoter runs actions on more than 5 ids as an asynchronous batch process. */
const synchronousIdsMax = 5;
const perPageMax = 100;
const webhooksInFlightMax = 8;

/**
 * What a test can make the API do, as the real one does at times: refuse some ids in a batch
 * action (`failed_count` and `processing_errors`), keep a batch process running for many polls,
 * and run smaller actions asynchronously.
 */
interface ApiBehaviour {
  refusedIds: Set<number>;
  batchPollsBeforeDone: number;
  synchronousIdsMax: number;
}

interface BatchProcess {
  action: Action;
  ids: number[];
  total: number;
  failed: number[];
  polls: number;
}

/** What an action does to a commission, as FirstPromoter does it: approve and deny decide a pending one. */
const statusAfter: Partial<Record<Action, 'approved' | 'denied'>> = { approve: 'approved', deny: 'denied' };

/**
 * FirstPromoter's side of the wire: the admin API v2 (Bearer key + Account-ID; bare-array pages
 * whose promoters carry no `cust_id`, as the published Commission schema says; the promoter record
 * with its `cust_id`; batch actions with async batch processes), signed v2 webhooks with
 * deterministic drops and redeliveries of the same event_id, and its own expected balances and
 * action counts.
 */
export function registerFirstPromoterStandIn(app: FastifyInstance, options: FirstPromoterStandInOptions): void {
  const program = generateProgram(options);
  const byId = new Map(program.map((commission) => [commission.id, commission]));
  /** Commissions a test registered, as the API serialises them (ids outside the programme's). */
  const registered = new Map<number, Record<string, unknown>>();
  const promoters = new Map<number, Record<string, unknown>>(program.map((commission) => [commission.promoter.id, promoterJson(commission.promoter)]));
  const actionCounts = new Map<Action, Map<number, number>>(actions.map((action) => [action, new Map()]));
  /** Every action taken, in order: the last mark of a commission is what FirstPromoter shows. */
  const actionLog: { action: Action; id: number; at: string }[] = [];
  const batches = new Map<number, BatchProcess>();
  const behaviour: ApiBehaviour = { refusedIds: new Set(), batchPollsBeforeDone: 1, synchronousIdsMax };
  /** Where FirstPromoter announces what its actions changed (commission.updated), when a test set it. */
  let webhookTarget: string | null = null;
  /** Announcements go out in order, after the answer: FirstPromoter's API never waits for its webhooks. */
  let announcements: Promise<void> = Promise.resolve();
  let nextBatchId = 700;

  /** An action takes effect when its batch completes: counted, logged, and an approval or denial announced. */
  const takeEffect = (action: Action, ids: number[], failed: number[]): void => {
    const counts = actionCounts.get(action)!;
    const changed: Record<string, unknown>[] = [];
    for (const id of ids.filter((candidate) => !failed.includes(candidate))) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      actionLog.push({ action, id, at: new Date().toISOString() });
      const status = statusAfter[action];
      const update = status === undefined ? null : decide(id, status);
      if (update !== null) changed.push(update);
    }
    const target = webhookTarget;
    if (target !== null) for (const update of changed) announcements = announcements.then(() => announce(target, update, options.webhookSecret));
  };

  /** Moves a pending commission to approved or denied now; the webhook body of the change, or null when nothing changed. */
  const decide = (id: number, status: 'approved' | 'denied'): Record<string, unknown> | null => {
    const now = new Date().toISOString();
    const generated = byId.get(id);
    if (generated !== undefined) {
      const previous = latestVersion(generated);
      if (previous.status !== 'pending') return null;
      const version = { status, statusUpdatedAt: now, eventId: `${id}-${status}-${now}` };
      generated.versions.push(version);
      return updatedEnvelope(id, previous.status, commissionJson(generated, version), now);
    }
    const listed = registered.get(id);
    if (listed === undefined || listed.status !== 'pending') return null;
    const after = { ...listed, status, status_updated_at: now };
    registered.set(id, after);
    return updatedEnvelope(id, 'pending', withCustId(after, promoters), now);
  };

  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) void reply.status(401).send({ message: 'Unauthenticated', code: 'unauthenticated' });
    else if (request.headers['account-id'] !== options.accountId) void reply.status(403).send({ message: 'Invalid account', code: 'forbidden' });
    else return true;
    return false;
  };
  const known = (id: unknown): boolean => Number.isInteger(id) && (byId.has(id as number) || registered.has(id as number));

  app.get(`${apiPrefix}/commissions`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const query = request.query as Record<string, string | undefined>;
    const page = Math.max(1, Number(query.page ?? 1));
    const perPage = Math.min(perPageMax, Math.max(1, Number(query.per_page ?? 20)));
    const status = query['filters[status]'];
    const all = [...program.map((commission) => commissionJson(commission, latestVersion(commission), 'api')), ...registered.values()];
    const matching = all.filter((commission) => status === undefined || commission.status === status);
    return matching.slice((page - 1) * perPage, page * perPage);
  });

  app.get(`${apiPrefix}/promoters/:id`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const promoter = promoters.get(Number((request.params as { id: string }).id));
    if (!promoter) return reply.status(404).send({ message: 'Promoter not found', code: 'not_found' });
    return promoter;
  });

  for (const action of actions) {
    app.post(`${apiPrefix}/commissions/${action}`, async (request, reply) => {
      if (!authorised(request, reply)) return reply;
      const ids = (request.body as { ids?: unknown } | null)?.ids;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every(known)) {
        return reply.status(422).send({ message: 'ids must be known commission ids', code: 'invalid' });
      }
      const failed = (ids as number[]).filter((id) => behaviour.refusedIds.has(id));
      // Every batch has an id (BatchOperationResponse.id is an integer); an asynchronous one starts `pending` (the published 202).
      const id = nextBatchId++;
      if (ids.length <= behaviour.synchronousIdsMax) {
        takeEffect(action, ids as number[], failed);
        return batchBody(id, 'completed', ids.length, failed);
      }
      batches.set(id, { action, ids: ids as number[], total: ids.length, failed, polls: 0 });
      return reply.status(202).send(batchBody(id, 'pending', ids.length, []));
    });
  }

  app.get(`${apiPrefix}/batch_processes/:id`, async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const id = Number((request.params as { id: string }).id);
    const batch = batches.get(id);
    if (!batch) return reply.status(404).send({ message: 'Batch not found', code: 'not_found' });
    batch.polls += 1;
    const done = batch.polls > behaviour.batchPollsBeforeDone;
    // The ids take effect once, when the process completes; later polls see it completed.
    if (done && batch.polls === behaviour.batchPollsBeforeDone + 1) takeEffect(batch.action, batch.ids, batch.failed);
    return batchBody(id, done ? 'completed' : 'in_progress', batch.total, done ? batch.failed : []);
  });

  app.post('/_admin/firstpromoter/commissions', async (request) => {
    const body = (request.body ?? {}) as { commission?: Record<string, unknown>; promoter?: Record<string, unknown> };
    if (body.commission) registered.set(Number(body.commission.id), body.commission);
    if (body.promoter) promoters.set(Number(body.promoter.id), body.promoter);
    return { registered: registered.size, promoters: promoters.size };
  });
  app.post('/_admin/firstpromoter/api-behaviour', async (request) => {
    const body = (request.body ?? {}) as { refusedIds?: number[]; batchPollsBeforeDone?: number; synchronousIdsMax?: number };
    if (body.refusedIds) behaviour.refusedIds = new Set(body.refusedIds);
    if (body.batchPollsBeforeDone !== undefined) behaviour.batchPollsBeforeDone = body.batchPollsBeforeDone;
    if (body.synchronousIdsMax !== undefined) behaviour.synchronousIdsMax = body.synchronousIdsMax;
    return { refusedIds: [...behaviour.refusedIds], batchPollsBeforeDone: behaviour.batchPollsBeforeDone, synchronousIdsMax: behaviour.synchronousIdsMax };
  });
  app.post('/_admin/firstpromoter/webhooks/send', async (request) => {
    const body = (request.body ?? {}) as { url?: string; dropFraction?: number; redeliverFraction?: number };
    if (!body.url) throw Object.assign(new Error('url is required'), { statusCode: 400 });
    return sendWebhooks(program, options, body.url, body.dropFraction ?? 0, body.redeliverFraction ?? 0);
  });
  app.post('/_admin/firstpromoter/legacy/send', async (request) => {
    const body = (request.body ?? {}) as { url?: string; token?: string };
    if (!body.url || !body.token) throw Object.assign(new Error('url and token are required'), { statusCode: 400 });
    return sendLegacyFulfilments(program, body.url, body.token);
  });
  app.post('/_admin/firstpromoter/webhook-target', async (request) => {
    const body = (request.body ?? {}) as { url?: string | null };
    webhookTarget = body.url ?? null;
    return { url: webhookTarget };
  });
  app.get('/_admin/firstpromoter/batches', async () => [...batches].map(([id, batch]) => ({ id, action: batch.action, ids: batch.ids, polls: batch.polls })));
  app.get('/_admin/firstpromoter/action-log', async () => actionLog);
  app.get('/_admin/firstpromoter/commissions/:id', async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const generated = byId.get(id);
    const commission = generated === undefined ? registered.get(id) : commissionJson(generated, latestVersion(generated), 'api');
    return commission ?? reply.status(404).send({ message: 'Commission not found', code: 'not_found' });
  });
  app.get('/_admin/firstpromoter/expected-balances', async () => expectedBalances(program));
  app.get('/_admin/firstpromoter/actions', async () =>
    Object.fromEntries([...actionCounts].map(([action, counts]) => [action, Object.fromEntries(counts)])),
  );
}

/** A `commission.updated` envelope for a status change, as webhooks v2 sends it. */
function updatedEnvelope(id: number, previousStatus: string, data: Record<string, unknown>, now: string): Record<string, unknown> {
  return {
    event_id: `fp-${id}-${String(data.status)}-${now}`, event_type: 'commission.updated', action: 'updated', entity_type: 'commission', entity_id: id,
    changes: { status: [previousStatus, data.status] }, data, timestamp: now,
  };
}

/** A registered (API-shaped) commission as a webhook carries it: its promoter with the `cust_id` the Promoters API knows. */
function withCustId(commission: Record<string, unknown>, promoters: ReadonlyMap<number, Record<string, unknown>>): Record<string, unknown> {
  const link = commission.promoter_campaign as Record<string, unknown> | undefined;
  const promoter = link?.promoter as Record<string, unknown> | undefined;
  const custId = promoter === undefined ? undefined : promoters.get(Number(promoter.id))?.cust_id;
  if (link === undefined || promoter === undefined || custId === undefined) return commission;
  return { ...commission, promoter_campaign: { ...link, promoter: { ...promoter, cust_id: custId } } };
}

/** Delivers one signed webhook; a failed delivery is FirstPromoter's to retry, not the stand-in's. */
async function announce(url: string, envelope: Record<string, unknown>, secret: string): Promise<void> {
  const body = JSON.stringify(envelope);
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-signature': signature, 'x-event-id': String(envelope.event_id), 'x-event-type': 'commission.updated' },
    body,
  }).catch(() => null);
}

/** The promoter record of the Promoters API: the partner's user id is its `cust_id`. */
function promoterJson(promoter: FirstPromoterCommission['promoter']): Record<string, unknown> {
  return { id: promoter.id, email: promoter.email, name: `Promoter ${promoter.id}`, cust_id: promoter.custId };
}

/** A BatchOperationResponse: `completed` with the refused ids counted in `failed_count` and named in `processing_errors`. */
function batchBody(id: number, status: 'completed' | 'pending' | 'in_progress', total: number, failed: number[]): Record<string, unknown> {
  const done = status === 'completed';
  return {
    id, status, total, selected_total: total, processed_count: done ? total - failed.length : 0, failed_count: failed.length, progress: done ? 100 : 0,
    processing_errors: failed.map((commissionId) => `Commission ${commissionId}: cannot be changed in its current state`),
  };
}

interface WebhookDelivery {
  eventId: string;
  body: string;
  eventType: string;
}

function webhookDeliveries(commission: FirstPromoterCommission): WebhookDelivery[] {
  return commission.versions.map((version, index) => {
    const previous = commission.versions[index - 1];
    const eventType = index === 0 ? 'commission.created' : 'commission.updated';
    const envelope = {
      event_id: version.eventId,
      event_type: eventType,
      action: index === 0 ? 'created' : 'updated',
      entity_type: 'commission',
      entity_id: commission.id,
      changes: previous ? { status: [previous.status, version.status] } : {},
      data: commissionJson(commission, version),
      timestamp: version.statusUpdatedAt,
    };
    return { eventId: version.eventId, eventType, body: JSON.stringify(envelope) };
  });
}

/** Every version in order, signed; a dropped one is never sent, a redelivered one is sent twice with the same event_id. */
async function sendWebhooks(program: FirstPromoterCommission[], options: FirstPromoterStandInOptions, url: string, dropFraction: number, redeliverFraction: number) {
  const outcome = { sent: 0, dropped: 0, redelivered: 0, failed: 0 };
  const queue = program.flatMap((commission) =>
    webhookDeliveries(commission).flatMap((delivery, index) => {
      if (isDropped(options.seed, commission, index, dropFraction)) {
        outcome.dropped += 1;
        return [];
      }
      const twice = isDropped(`${options.seed}:redeliver`, commission, index, redeliverFraction);
      if (twice) outcome.redelivered += 1;
      return twice ? [delivery, delivery] : [delivery];
    }),
  );
  const post = async (delivery: WebhookDelivery) => {
    const signature = createHmac('sha256', options.webhookSecret).update(delivery.body).digest('hex');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': signature, 'x-event-id': delivery.eventId, 'x-event-type': delivery.eventType },
      body: delivery.body,
    }).catch(() => null);
    if (response?.ok) outcome.sent += 1;
    else outcome.failed += 1;
  };
  // Versions of one commission keep their order: a worker takes a commission's deliveries in sequence.
  const byCommission = new Map<string, WebhookDelivery[]>();
  for (const delivery of queue) {
    const key = JSON.parse(delivery.body).entity_id as string;
    byCommission.set(key, [...(byCommission.get(key) ?? []), delivery]);
  }
  const pending = [...byCommission.values()];
  await Promise.all(Array.from({ length: webhooksInFlightMax }, async () => {
    for (let next = pending.shift(); next; next = pending.shift()) for (const delivery of next) await post(delivery);
  }));
  return outcome;
}

/**
 * The legacy `fulfilment_pending` webhook for every approved non-cash reward: unsigned, with the
 * promoter's secrets inside as FirstPromoter sends them, the shared token in the query string.
 * 200 means "fulfilled"; anything else is retried by FirstPromoter (here: counted as not fulfilled).
 */
async function sendLegacyFulfilments(program: FirstPromoterCommission[], url: string, token: string) {
  const outcome = { fulfilled: 0, notFulfilled: 0 };
  for (const commission of program) {
    const version = latestVersion(commission);
    if (version.status !== 'approved' || commission.unit === 'cash') continue;
    const body = {
      event: { id: String(commission.id), type: 'fulfilment_pending', created_at: version.statusUpdatedAt },
      data: {
        id: String(commission.id + 1_000_000),
        status: 'pending',
        date_paid: null,
        amount: String(commission.amount),
        unit: commission.unit,
        campaign: { id: String(commission.campaignId), name: 'Rewards for referrals' },
        promoter: {
          id: String(commission.promoter.id),
          cust_id: commission.promoter.custId,
          auth_token: `auth-${commission.promoter.id}-secret`,
          temp_password: `temp-${commission.promoter.id}-secret`,
          email: commission.promoter.email,
          profile: { first_name: 'Sim', website: 'example.test' },
        },
      },
    };
    const response = await fetch(`${url}?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
    if (response?.status === 200) outcome.fulfilled += 1;
    else outcome.notFulfilled += 1;
  }
  return outcome;
}

/** The programme's own truth per (AUI, unit), independent of the ledger's code. */
function expectedBalances(program: FirstPromoterCommission[]) {
  const balances = new Map<string, { aui: string; unit: string; lifetime: Decimal; pending: Decimal; available: Decimal }>();
  for (const commission of program) {
    const { status } = latestVersion(commission);
    if (status === 'denied') continue;
    const unit = commission.unit === 'cash' ? 'USD' : commission.unit;
    const amount = commission.unit === 'cash' ? new Decimal(commission.amount).div(100) : new Decimal(commission.amount);
    const key = `${commission.promoter.custId} ${unit}`;
    const balance = balances.get(key) ?? { aui: commission.promoter.custId, unit, lifetime: new Decimal(0), pending: new Decimal(0), available: new Decimal(0) };
    balance.lifetime = balance.lifetime.plus(amount);
    if (status === 'pending') balance.pending = balance.pending.plus(amount);
    else balance.available = balance.available.plus(amount);
    balances.set(key, balance);
  }
  return [...balances.values()].map((balance) => ({
    aui: balance.aui,
    unit: balance.unit,
    lifetime: balance.lifetime.toFixed(),
    pending: balance.pending.toFixed(),
    available: balance.available.toFixed(),
  }));
}
