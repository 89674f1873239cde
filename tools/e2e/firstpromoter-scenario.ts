import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '@earnings/testing';
import { groupCatchUp } from '@earnings/kafka';
import { Topics } from '@earnings/contracts';
import { admin, ledgerBalances, PayoutStack, sql } from './payout-scenario';
import { eventually, testKafka, waitForProjectorToCatchUp } from './test-stack';

/**
 * FirstPromoter as the suites drive it end to end: signed webhooks v2 and legacy fulfilments into
 * ingest, the partner simulator's stand-in of the API (commissions, promoters, batch actions), and
 * what the payout service and the ledger then say.
 */
export interface CommissionSpec {
  id: number;
  status: 'pending' | 'approved' | 'denied';
  unit: string;
  amount: number | string;
  promoterId: number;
  custId: string | null;
  referralUid?: string;
  campaignId: number;
  statusUpdatedAt: string;
  createdAt?: string;
  reward?: { id: number; name: string };
  /** Extra promoter fields, as FirstPromoter sends them (auth_token, ...). */
  promoterExtra?: Record<string, unknown>;
  fraudCheck?: string;
}

/** A commission as the webhook `data` carries it (the API's, plus the promoter's cust_id). */
export function commissionData(spec: CommissionSpec): Record<string, unknown> {
  const promoter: Record<string, unknown> = { id: spec.promoterId, email: `p${spec.promoterId}@example.test`, name: `Promoter ${spec.promoterId}`, ...spec.promoterExtra };
  if (spec.custId !== null) promoter.cust_id = spec.custId;
  return {
    id: spec.id, status: spec.status, metadata: {}, is_self_referral: false, commission_type: 'sale', sale_amount: 4900, original_sale_amount: 4900,
    original_sale_currency: 'usd', event_id: `in_${spec.id}`, unit: spec.unit, fraud_check: spec.fraudCheck ?? 'no_suspicion', amount: spec.amount, is_paid: false, is_split: false,
    created_at: spec.createdAt ?? '2026-10-02T09:15:05.120Z', status_updated_at: spec.statusUpdatedAt,
    promoter_campaign: { id: 501, campaign_id: spec.campaignId, promoter_id: spec.promoterId, promoter, campaign: { id: spec.campaignId, name: 'Rewards' } },
    referral: { id: spec.id + 1, email: `r${spec.id}@example.test`, uid: spec.referralUid ?? null },
    reward: spec.reward ?? { id: 33, name: 'Reward' },
  };
}

/** The same commission as GET /commissions lists it: the published schema's promoter has no cust_id. */
export function apiCommission(spec: CommissionSpec): Record<string, unknown> {
  return commissionData({ ...spec, custId: null, promoterExtra: undefined });
}

export interface ListedPayout { payoutId: string; unit: string; amount: string; method: string; state: string; failureReason: string | null; coveredCommissions: { source: string; commissionId: string }[] }
export interface Fulfilment { commissionId: string; state: string; attempts: number; lastError: string | null }
export interface Answer { status: number; body: Record<string, unknown> }

export class FirstPromoterDriver {
  private eventNumber = 0;

  constructor(private readonly stack: PayoutStack, private readonly options: { webhookSecret: string; legacyToken: string; runLabel: string }) {}

  aui(name: string): string {
    return `${this.stack.auiPrefix}-${name}`;
  }

  async simulator(path: string, body?: unknown): Promise<Record<string, unknown>> {
    const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return (await fetch(this.stack.simulator.url('partner-simulator', path), init)).json() as Promise<Record<string, unknown>>;
  }

  register(spec: CommissionSpec): Promise<Record<string, unknown>> {
    return this.simulator('/_admin/firstpromoter/commissions', { commission: apiCommission(spec) });
  }

  async actions(): Promise<Record<string, Record<string, number>>> {
    return (await this.simulator('/_admin/firstpromoter/actions')) as Record<string, Record<string, number>>;
  }

  /** A signed webhooks v2 delivery; `timestamp` is the event's time (the status time plus the event's number of ms, unless given). */
  async webhook(spec: CommissionSpec, changes: Record<string, unknown>, eventType = 'commission.updated', options: { timestamp?: string; eventId?: string } = {}): Promise<Answer & { raw: string }> {
    this.eventNumber += 1;
    const raw = JSON.stringify({
      event_id: options.eventId ?? `${this.options.runLabel}-${this.eventNumber}`, event_type: eventType, action: eventType.split('.')[1], entity_type: 'commission', entity_id: spec.id,
      changes, data: commissionData(spec), timestamp: options.timestamp ?? new Date(Date.parse(spec.statusUpdatedAt) + this.eventNumber).toISOString(),
    });
    return { ...(await this.postWebhook(raw)), raw };
  }

  /** Posts a webhook body exactly as given (a retry is the same bytes). */
  async postWebhook(raw: string): Promise<Answer> {
    const response = await fetch(this.stack.services.url('ingest', '/webhooks/firstpromoter'), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', this.options.webhookSecret).update(raw).digest('hex') }, body: raw,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Registered at the stand-in as approved, then created pending and approved by webhooks, as FirstPromoter sends a reward. */
  async approve(spec: Omit<CommissionSpec, 'status' | 'statusUpdatedAt'>, approvedAt = '2026-10-09T10:00:00.000Z'): Promise<CommissionSpec> {
    await this.register({ ...spec, status: 'approved', statusUpdatedAt: approvedAt });
    const created = await this.webhook({ ...spec, status: 'pending', statusUpdatedAt: spec.createdAt ?? '2026-10-02T09:15:05.120Z' }, {}, 'commission.created');
    if (created.status !== 200) throw new Error(`commission.created answered ${created.status}: ${JSON.stringify(created.body)}`);
    const approved: CommissionSpec = { ...spec, status: 'approved', statusUpdatedAt: approvedAt };
    const update = await this.webhook(approved, { status: ['pending', 'approved'] });
    if (update.status !== 200) throw new Error(`commission.updated answered ${update.status}: ${JSON.stringify(update.body)}`);
    return approved;
  }

  async legacy(spec: { fulfilmentId: number; custId: string | null; unit: string; amount: string; campaignId: number; type?: string }): Promise<Answer> {
    const promoter: Record<string, unknown> = { id: '234', auth_token: 'da954kn43856nacueroytnjrwg46k5', temp_password: 'dsf23fd3', email: 'promoter@example.test' };
    if (spec.custId !== null) promoter.cust_id = spec.custId;
    const body = {
      event: { id: `${this.options.runLabel}-legacy-${spec.fulfilmentId}`, type: spec.type ?? 'fulfilment_pending', created_at: '2026-10-09T10:00:01.000Z' },
      data: { id: String(spec.fulfilmentId), status: 'pending', date_paid: null, amount: spec.amount, unit: spec.unit, campaign: { id: String(spec.campaignId), name: 'Legacy' }, promoter },
    };
    const response = await fetch(`${this.stack.services.url('ingest', '/webhooks/firstpromoter/legacy')}?token=${this.options.legacyToken}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async payoutsOf(name: string): Promise<ListedPayout[]> {
    return ((await admin(this.stack, 'GET', `/admin/payouts?aui=${encodeURIComponent(this.aui(name))}`)).body.payouts ?? []) as ListedPayout[];
  }

  deliveredOf(name: string, accept: (payouts: ListedPayout[]) => boolean, timeoutMs = 30_000): Promise<ListedPayout[]> {
    return eventually(() => this.payoutsOf(name), accept, timeoutMs);
  }

  async figures(name: string, unit: string) {
    return (await ledgerBalances(this.stack)).get(JSON.stringify([this.aui(name), unit]));
  }

  async fulfilments(): Promise<Fulfilment[]> {
    return ((await admin(this.stack, 'GET', '/admin/reward-fulfilments')).body.fulfilments ?? []) as Fulfilment[];
  }

  /** The ledger's latest version of a commission (through projection_pointer): what the ledger holds, not what it adds up. */
  async ledgerCommission(commissionId: number | string): Promise<{ aui: string; state: string; source_status: string; user_amount: string } | null> {
    const schema = (await sql(this.stack, `SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name;
    const rows = await sql<{ aui: string; state: string; source_status: string; user_amount: string }>(
      this.stack, `SELECT aui, state, source_status, user_amount::text FROM ${schema}.commission WHERE source = 'firstpromoter' AND commission_id = $1`, [String(commissionId)]);
    return rows[0] ?? null;
  }
}

/** Runs an ingest command (dist/apps/ingest/src/commands/<name>.js) with ingest's environment; its result is its last output line. */
export async function runIngestCommand(name: string, env: Record<string, string>, flags: string[]): Promise<Record<string, unknown>> {
  const command = join(workspaceRoot(), `dist/apps/ingest/src/commands/${name}.js`);
  const { stdout } = await promisify(execFile)(process.execPath, [command, ...flags], { env: { ...process.env, ...env, LOG_LEVEL: 'error' }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

/**
 * Resolves once a consumer group has committed every message of `topic` that exists now: a
 * barrier for "the payout service has seen these observations", so a test can say nothing was
 * delivered without sleeping.
 */
export async function waitForGroupToCatchUp(groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const progress = groupCatchUp(testKafka('test-group-barrier'), groupId, topic);
  try {
    const behind = await progress.messagesBehind(timeoutMs);
    if (behind > 0n) throw new Error(`group ${groupId} is still ${behind} messages behind ${topic} after ${timeoutMs} ms`);
  } finally {
    await progress.close();
  }
}

/**
 * Resolves once the payout service's balance view holds everything the ledger has applied so far:
 * the projector caught up, its outbox relayed, and the view's consumer group at the end of
 * balance-changed. A run started then decides on current figures, never on a stale balance.
 */
export async function waitForPayoutViewToCatchUp(stack: PayoutStack, timeoutMs = 60_000): Promise<void> {
  await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup, timeoutMs);
  const schema = (await sql(stack, `SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name;
  await eventually(async () => Number((await sql(stack, `SELECT count(*)::text AS count FROM ${schema}.outbox WHERE published_at IS NULL`))[0].count), (count) => count === 0, timeoutMs);
  await waitForGroupToCatchUp(stack.env.PAYOUT_CONSUMER_GROUP, Topics.balanceChanged, timeoutMs);
}
