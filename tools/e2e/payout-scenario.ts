import { CommissionObserved, checkCommissionObserved, topicSettings, Topics, PayoutExecuted, PayoutReturned } from '@earnings/contracts';
import { Decimal, parseThresholds } from '@earnings/domain';
import { createDataSource } from '@earnings/persistence';
import { PayoutPolicyRepository, publishedScheduleOf } from '../../apps/payout/src/policy/payout-policy.repository';
import { reconcileTopics } from '@earnings/kafka';
import { Client } from 'pg';
import { seededRandom } from './ledger-scenario';
import type { ServiceProcess } from '../local-stack/processes';
import {
  createSuiteDatabase, eventually, produceEvents, readWholeTopic, requireTestInfrastructure, restartApp, RunningApps, startAnotherInstance, startApps, SuiteDatabase, testKafka, uniqueSuffix,
  waitForProjectorToCatchUp,
} from './test-stack';

/**
 * The payout service with its real neighbours for the payout e2e tests and the soak: a ledger
 * projector and one or more payout processes on their own database and consumer groups, the
 * partner simulator as PayPal and the gift card provider, and commissions produced straight to
 * Kafka under a unique AUI prefix (the payout service pays only that prefix).
 */
export interface PayoutStack {
  label: string;
  auiPrefix: string;
  database: SuiteDatabase;
  simulator: RunningApps;
  /** The projector and the first payout process (whose port the admin helpers call). */
  services: RunningApps;
  /** More payout processes (startPayoutStack's `payoutProcesses` beyond the first): same database, same consumer groups. */
  payoutReplicas: ServiceProcess[];
  env: Record<string, string>;
  projectorGroup: string;
  adminToken: string;
  stop(): Promise<void>;
}

export const payoutAdminToken = 'e2e-payout-admin-token-0123456789';

export async function startPayoutStack(label: string, extraEnv: Record<string, string> = {}, options: { payoutProcesses: number } = { payoutProcesses: 1 }): Promise<PayoutStack> {
  const { brokers } = requireTestInfrastructure();
  // The setup step's job in production; the shared test broker may predate the payout-failed topic.
  await reconcileTopics(testKafka('payout-e2e-setup'), topicSettings(3), { replicationFactor: 1, minInSyncReplicas: 1 });
  const suffix = uniqueSuffix();
  const auiPrefix = `${label}-${suffix}`;
  const database = await createSuiteDatabase(label.replace(/[^a-z0-9_]/g, '_'));
  // Its own seed, so the FirstPromoter stand-in's commission ids are this run's alone (the commission topic is shared).
  const simulator = await startApps(['partner-simulator'], { LOG_LEVEL: 'warn', SIMULATOR_COMMISSIONS: '10', SIMULATOR_USERS: '2', SIMULATOR_SEED: `payout-${suffix}` });
  const simulatorUrl = simulator.url('partner-simulator', '');
  const projectorGroup = `${auiPrefix}-projector`;
  const env = {
    KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn',
    PROJECTOR_CONSUMER_GROUP: projectorGroup, PROJECTOR_SESSION_TIMEOUT_MS: '6000', PROJECTION_POINTER_POLL_MS: '500',
    PAYOUT_CONSUMER_GROUP: `${auiPrefix}-payout`, PAYOUT_SESSION_TIMEOUT_MS: '6000', PAYOUT_AUI_PREFIX: `${auiPrefix}-`, PAYOUT_ADMIN_TOKEN: payoutAdminToken,
    PAYOUT_THRESHOLDS: 'USD:10,EUR:10,JPY:1000,credits:100',
    // Never during a test: runs come from the admin API.
    PAYOUT_RUN_CRON: '0 0 1 1 *',
    PAYOUT_PROVIDER_TIMEOUT_MS: '2000', PAYOUT_WORK_INTERVAL_MS: '100', PAYOUT_RETURN_POLL_INTERVAL_MS: '300', PAYOUT_IN_FLIGHT_POLL_INTERVAL_MS_MAX: '300',
    // These suites pay users who never chose a method; the partner opts in to a default explicitly.
    PAYOUT_DEFAULT_METHOD: 'account_credit',
    PAYPAL_BASE_URL: simulatorUrl, PAYPAL_CLIENT_ID: 'e2e-client', PAYPAL_CLIENT_SECRET: 'e2e-secret',
    GIFT_CARD_BASE_URL: simulatorUrl, GIFT_CARD_API_KEY: 'e2e-gift-card-key',
    // The simulator's FirstPromoter stand-in with its development credentials.
    FIRSTPROMOTER_API_BASE_URL: `${simulatorUrl}/api/v2/company`, FIRSTPROMOTER_API_KEY: 'dev-firstpromoter-key', FIRSTPROMOTER_ACCOUNT_ID: 'dev-account',
    ...extraEnv,
  };
  const services = await startApps(['ledger-projector', 'payout'], env);
  const payoutReplicas: ServiceProcess[] = [];
  for (let index = 1; index < options.payoutProcesses; index += 1) payoutReplicas.push(await startAnotherInstance(services, 'payout', env));
  return {
    label, auiPrefix, database, simulator, services, payoutReplicas, env, projectorGroup, adminToken: payoutAdminToken,
    stop: async () => {
      await Promise.all(payoutReplicas.map((replica) => replica.stop()));
      await services.stopAll();
      await simulator.stopAll();
      await database.drop();
    },
  };
}

/**
 * Publishes a payout policy (payout_policy_view) with the payout service's own code, as it does at
 * start: for suites that read the policy (payoutSchedule, the dashboard) without running a payout service.
 */
export async function publishPayoutPolicy(databaseUrl: string, thresholdsText: string, runCron: string): Promise<void> {
  const thresholds = parseThresholds(thresholdsText);
  if (typeof thresholds === 'string') throw new Error(thresholds);
  const dataSource = createDataSource({ url: databaseUrl, applicationName: 'payout-policy-e2e' });
  await dataSource.initialize();
  try {
    await new PayoutPolicyRepository(dataSource).publish({ thresholds, fractionDigitsByUnit: new Map() }, publishedScheduleOf(runCron, 'UTC', new Date()));
  } finally {
    await dataSource.destroy();
  }
}

/** A PAYABLE (or other) CommissionObserved for a test user, valid against the schema. */
export function commission(options: {
  aui: string; commissionId: string; amount: string; unit?: string; state?: CommissionObserved['state']; paidByNetwork?: boolean; modifiedDate?: string;
  source?: CommissionObserved['source']; eventDate?: string; merchantOrderId?: string;
}): CommissionObserved {
  const modifiedDate = options.modifiedDate ?? '2026-01-01T00:00:00.000000Z';
  const source = options.source ?? 'wildfire';
  const observation: CommissionObserved = {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `${source}:${options.commissionId}:${modifiedDate}`, source, channel: source === 'wildfire' ? 'api' : 'webhook',
    commissionId: options.commissionId, aui: options.aui, state: options.state ?? 'PAYABLE', sourceStatus: 'paid', unit: options.unit ?? 'USD',
    userAmount: options.amount, applicationAmount: options.amount, paidByNetwork: options.paidByNetwork ?? false, saleAmount: null, saleCurrency: null,
    applicationId: '104', merchantId: '42', deviceId: null, merchantOrderId: options.merchantOrderId ?? `order-${options.commissionId}`, merchantSkus: [], eventDate: options.eventDate ?? null,
    lockingDate: null, createdDate: null, modifiedDate, deliveryId: null, apiVersion: 'v4', observedAt: modifiedDate,
  };
  const checked = checkCommissionObserved(observation);
  if (!checked.ok) throw new Error(`test commission is invalid: ${checked.reason}`);
  return observation;
}

export async function produceCommissions(observations: CommissionObserved[]): Promise<void> {
  await produceEvents(Topics.commissionObserved, observations.map((observation) => ({ key: observation.aui, value: observation })));
}

export async function admin(stack: PayoutStack, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(stack.services.url('payout', path), {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function setMethods(stack: PayoutStack, methods: { aui: string; method: string; destination?: string }[]): Promise<void> {
  const concurrency = 16;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < methods.length) {
      const entry = methods[next];
      next += 1;
      const answer = await admin(stack, 'PUT', `/admin/users/${encodeURIComponent(entry.aui)}/payout-method`, { method: entry.method, destination: entry.destination });
      if (answer.status !== 200) throw new Error(`setting the method of ${entry.aui} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }));
}

export async function sql<T = Record<string, string>>(stack: PayoutStack, text: string, parameters: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    return (await client.query(text, parameters)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Waits until the payout service's view holds these available balances (the projector and the view consumer caught up). */
export async function waitForView(stack: PayoutStack, expected: Map<string, string>, timeoutMs = 120_000): Promise<void> {
  await eventually(async () => {
    const rows = await sql(stack, `SELECT aui, unit, available::text AS available FROM payout_balance WHERE starts_with(aui, $1)`, [`${stack.auiPrefix}-`]);
    const seen = new Map(rows.map((row) => [JSON.stringify([row.aui, row.unit]), row.available]));
    return [...expected].filter(([key, available]) => !new Decimal(seen.get(key) ?? 'NaN').equals(new Decimal(available)) || !seen.has(key)).slice(0, 5);
  }, (missing) => missing.length === 0, timeoutMs);
}

/**
 * Waits until the payout service's view holds every change the ledger announced for the stack's
 * users (its per-AUI sequence is the ledger's): a run then decides on every user, none skipped as
 * view-behind.
 */
export async function waitForViewToCatchUp(stack: PayoutStack, timeoutMs = 120_000): Promise<void> {
  await eventually(
    async () => sql(stack, `SELECT l.aui, max(l.balance_sequence)::text AS ledger, (SELECT max(v.balance_sequence) FROM payout_balance v WHERE v.aui = l.aui)::text AS view
                              FROM ledger.balance l WHERE starts_with(l.aui, $1) AND l.balance_sequence > 0 GROUP BY l.aui
                            HAVING max(l.balance_sequence) > coalesce((SELECT max(v.balance_sequence) FROM payout_balance v WHERE v.aui = l.aui), 0) LIMIT 5`, [`${stack.auiPrefix}-`]),
    (behind) => behind.length === 0, timeoutMs);
}

/** Waits until no payout is in flight (one waiting for review is not), the outbox is published, the projector applied it, and the payout service's view heard the ledger's answer. */
export async function waitForPayoutsToSettle(stack: PayoutStack, timeoutMs = 180_000): Promise<void> {
  // The open rows themselves, so a timeout says which payout or event is stuck.
  await eventually(
    // A payout waiting for the partner's review (PAYOUT_REVIEW) is not in flight: it waits for an operator.
    async () => sql(stack, `SELECT payout_id, aui, method, state, failure_reason FROM payout WHERE state IN ('requested', 'submitted') AND review_state IS DISTINCT FROM 'pending'
                             UNION ALL SELECT id::text, message_key, topic, 'unpublished', NULL FROM payout_outbox WHERE published_at IS NULL LIMIT 5`),
    (open) => open.length === 0, timeoutMs);
  await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup, timeoutMs);
  await waitForViewToCatchUp(stack, timeoutMs);
}

export async function simulatorPayouts(stack: PayoutStack): Promise<{
  executions: Record<string, number>; submissions: Record<string, number>;
  executed: { payoutId: string; amount: string; currency: string; recipient: string; itemStatus: string | null; returned: boolean; polls: number }[];
}> {
  const response = await fetch(stack.simulator.url('partner-simulator', '/_admin/payouts'));
  return (await response.json()) as never;
}

export async function simulatorAdmin(stack: PayoutStack, path: string, body: unknown): Promise<void> {
  const response = await fetch(stack.simulator.url('partner-simulator', path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}`);
}

export async function payoutsExecutedOf(stack: PayoutStack): Promise<PayoutExecuted[]> {
  const messages = (await readWholeTopic(Topics.payoutExecuted)).filter((message) => message.key.startsWith(`${stack.auiPrefix}-`));
  // Every event of the product carries CloudEvents binary headers naming it.
  for (const message of messages) {
    const event = JSON.parse(message.value) as PayoutExecuted;
    if (message.headers.ce_type !== 'dev.earnings-ledger.PayoutExecuted.v1' || message.headers.ce_id !== event.payoutId) {
      throw new Error(`payout-executed message without its CloudEvents headers: ${JSON.stringify(message.headers)}`);
    }
  }
  return messages.map((message) => JSON.parse(message.value) as PayoutExecuted);
}

/** The PayoutReturned events of the stack's AUIs (payout-lifecycle carries the other steps too). */
export async function payoutsReturnedOf(stack: PayoutStack): Promise<PayoutReturned[]> {
  const messages = (await readWholeTopic(Topics.payoutLifecycle)).filter((message) => message.key.startsWith(`${stack.auiPrefix}-`));
  return messages.map((message) => JSON.parse(message.value) as PayoutReturned | { type: string }).filter((event): event is PayoutReturned => event.type === 'PayoutReturned');
}

/** The ledger projection's figures for the stack's AUIs (through projection_pointer). */
export async function ledgerBalances(stack: PayoutStack): Promise<Map<string, { payable: Decimal; paidOut: Decimal; available: Decimal; paidByNetwork: Decimal; reserved: Decimal }>> {
  const schema = (await sql(stack, `SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema ${schema}`);
  const rows = await sql(stack, `SELECT aui, unit, payable::text, paid_out::text, available::text, paid_by_network::text, reserved::text FROM ${schema}.balance WHERE starts_with(aui, $1)`, [`${stack.auiPrefix}-`]);
  return new Map(rows.map((row) => [JSON.stringify([row.aui, row.unit]), {
    payable: new Decimal(row.payable), paidOut: new Decimal(row.paid_out), available: new Decimal(row.available), paidByNetwork: new Decimal(row.paid_by_network), reserved: new Decimal(row.reserved),
  }]));
}

const countsOf = (values: string[]): Map<string, number> => values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<string, number>());

export const sumOf = (amounts: string[]): Decimal => amounts.reduce((sum, amount) => sum.plus(amount), new Decimal(0));


export interface KillRunOptions {
  userCount: number;
  killCount: number;
  killDelayMsMax: number;
  seed: number;
}

export interface KillRunResult {
  kills: number;
  users: { aui: string; payable: string; expectedPayout: string }[];
  /** Users whose PayPal payout came back after success, and who were then paid again. */
  returnedUsers: number;
  finalRunRequested: number;
  /** Payout processes running side by side (the first and its replicas). */
  payoutProcesses: number;
}

/**
 * The payout processes of the stack in a fixed order: index 0 is the one the admin helpers call.
 * Kills one with SIGKILL and starts a new process in its place (the first on its own port).
 */
async function killAndReplacePayoutProcess(stack: PayoutStack, index: number): Promise<void> {
  if (index === 0) {
    await stack.services.services.get('payout')?.kill();
    await restartApp(stack.services, 'payout', stack.env);
    return;
  }
  await stack.payoutReplicas[index - 1].kill();
  stack.payoutReplicas[index - 1] = await startAnotherInstance(stack.services, 'payout', stack.env);
}

/** Asks a payout process for a run without waiting for it to succeed (it may be killed meanwhile). */
function askForRunQuietly(stack: PayoutStack, index: number): void {
  const baseUrl = index === 0 ? stack.services.url('payout', '') : stack.payoutReplicas[index - 1].baseUrl;
  void fetch(`${baseUrl}/admin/payout-runs`, { method: 'POST', headers: { authorization: `Bearer ${stack.adminToken}` } }).then((response) => response.arrayBuffer()).catch(() => null);
}

/**
 * `userCount` users, each with a PAYABLE USD commission above the threshold (five fractional
 * digits, so rounding leaves a remainder) and every tenth also a network-paid one that must never
 * be paid; half by PayPal, half by gift card. Starts a run and kills a payout process (any of the
 * stack's, at random) with SIGKILL `killCount` times at random moments, starting a new one in its
 * place and asking one of them (at random) for a run again each time.
 */
export async function runPayoutsUnderKills(stack: PayoutStack, options: KillRunOptions): Promise<KillRunResult> {
  const random = seededRandom(options.seed);
  const payoutProcesses = 1 + stack.payoutReplicas.length;
  const anyProcess = () => Math.floor(random() * payoutProcesses);
  const users = Array.from({ length: options.userCount }, (_, index) => {
    const hundredThousandths = 1_000_000 + Math.floor(random() * 9_000_000);
    const payable = new Decimal(hundredThousandths).dividedBy(100_000);
    return { aui: `${stack.auiPrefix}-u${index}`, payable: payable.toFixed(), expectedPayout: payable.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed() };
  });
  await setMethods(stack, users.map((user, index) => ({ aui: user.aui, method: index % 2 === 0 ? 'paypal' : 'gift_card', destination: `${user.aui}@example.com` })));
  const observations = users.flatMap((user, index) => [
    commission({ aui: user.aui, commissionId: `${user.aui}-c1`, amount: user.payable }),
    ...(index % 10 === 0 ? [commission({ aui: user.aui, commissionId: `${user.aui}-network`, amount: '500', paidByNetwork: true })] : []),
  ]);
  await produceCommissions(observations);
  await waitForView(stack, new Map(users.map((user) => [JSON.stringify([user.aui, 'USD']), user.payable])));
  // Slow answers, lost answers and errors, so kills land with calls in flight.
  await simulatorAdmin(stack, '/_admin/payouts/faults', { slowMs: 40, lostResponses: 5, errors: 5, timeouts: 2 });
  // Runs asked of every process at once: their advisory lock makes them one after the other, and the reservations make the later ones find nothing.
  for (let index = 0; index < payoutProcesses; index += 1) askForRunQuietly(stack, index);
  let kills = 0;
  for (let round = 0; round < options.killCount; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * options.killDelayMsMax)));
    await killAndReplacePayoutProcess(stack, anyProcess());
    kills += 1;
    // A run killed before it committed left nothing: ask again (reservations make this safe).
    askForRunQuietly(stack, anyProcess());
  }
  await simulatorAdmin(stack, '/_admin/payouts/faults', { slowMs: 0 });
  await admin(stack, 'POST', '/admin/payout-runs');
  await waitForPayoutsToSettle(stack);
  const returnedUsers = await returnSomePayoutsUnderAKill(stack, users.filter((_, index) => index % 10 === 4).map((user) => user.aui), anyProcess());
  kills += 1;
  await admin(stack, 'POST', '/admin/payout-runs');
  await waitForPayoutsToSettle(stack);
  // Everyone is paid and the ledger knows: one more run must find nothing to pay.
  const finalRun = await admin(stack, 'POST', '/admin/payout-runs');
  return { kills, users, returnedUsers, finalRunRequested: Number(finalRun.body.requested), payoutProcesses };
}

/**
 * The PayPal payouts of these users come back after success (item RETURNED), and a payout process
 * is killed while they are finding out: each return must still be recorded exactly once.
 */
async function returnSomePayoutsUnderAKill(stack: PayoutStack, auis: string[], killed: number): Promise<number> {
  for (const aui of auis) await simulatorAdmin(stack, '/_admin/payouts/returns', { recipient: `${aui}@example.com`, itemStatus: 'RETURNED' });
  await killAndReplacePayoutProcess(stack, killed);
  await eventually(async () => Number((await sql(stack, `SELECT count(*)::text AS count FROM payout WHERE state = 'returned' AND aui = ANY($1)`, [auis]))[0].count), (count) => count === auis.length, 120_000);
  // The next run decides on the view: wait until the ledger's answer (paid out back to 0) reached it too.
  await eventually(async () => Number((await sql(stack, `SELECT count(*)::text AS count FROM payout_balance WHERE paid_out = 0 AND aui = ANY($1)`, [auis]))[0].count), (count) => count === auis.length, 120_000);
  return auis.length;
}

export interface KillRunCheck {
  payoutsExecutedTwice: string[];
  /** Users with more than one payout whose money stayed with them at the provider. */
  usersPaidTwiceAtProvider: string[];
  /** Payout ids the service sent more than once (after a lost answer, a timeout or a crash): the provider deduped them. */
  payoutIdsSubmittedMoreThanOnce: number;
  payoutIdsExecutedAtProvider: number;
  providerTotal: string;
  payoutExecutedTotal: string;
  ledgerPaidOutTotal: string;
  distinctPayoutExecuted: number;
  usersPaidMoreThanAvailable: string[];
  usersPaidOtherThanRoundedDown: string[];
  payoutsSucceeded: number;
  payoutsFailed: number;
  payoutsReturned: number;
  distinctPayoutReturned: number;
}

/** Everything the fault test and the soak assert, in one place. */
export async function checkKillRun(stack: PayoutStack, run: KillRunResult): Promise<KillRunCheck> {
  const provider = await simulatorPayouts(stack);
  const executed = provider.executed.filter((payout) => payout.recipient.startsWith(`${stack.auiPrefix}-`));
  const events = await payoutsExecutedOf(stack);
  const distinctEvents = new Map(events.map((event) => [event.payoutId, event]));
  const returnedEvents = new Map((await payoutsReturnedOf(stack)).map((event) => [event.payoutId, event]));
  const ledger = await ledgerBalances(stack);
  const expected = new Map(run.users.map((user) => [JSON.stringify([user.aui, 'USD']), user]));
  const states = await sql(stack, `SELECT state, count(*)::text AS count FROM payout WHERE starts_with(aui, $1) GROUP BY state`, [`${stack.auiPrefix}-`]);
  const stateCount = (state: string) => Number(states.find((row) => row.state === state)?.count ?? 0);
  return {
    payoutsExecutedTwice: Object.entries(provider.executions).filter(([, count]) => count > 1).map(([payoutId]) => payoutId),
    usersPaidTwiceAtProvider: [...countsOf(executed.filter((payout) => !payout.returned).map((payout) => payout.recipient))].filter(([, count]) => count > 1).map(([recipient]) => recipient),
    payoutIdsSubmittedMoreThanOnce: executed.filter((payout) => (provider.submissions[payout.payoutId] ?? 0) > 1).length,
    payoutIdsExecutedAtProvider: executed.length,
    // What left and stayed out: money that came back is not paid.
    providerTotal: sumOf(executed.filter((payout) => !payout.returned).map((payout) => payout.amount)).toFixed(),
    payoutExecutedTotal: sumOf([...distinctEvents.values()].map((event) => event.amount)).minus(sumOf([...returnedEvents.values()].map((event) => event.amount))).toFixed(),
    ledgerPaidOutTotal: [...ledger.values()].reduce((sum, figures) => sum.plus(figures.paidOut), new Decimal(0)).toFixed(),
    distinctPayoutExecuted: distinctEvents.size,
    usersPaidMoreThanAvailable: [...ledger].filter(([, figures]) => figures.paidOut.gt(figures.payable)).map(([key]) => key),
    usersPaidOtherThanRoundedDown: [...expected].filter(([key, user]) => !(ledger.get(key)?.paidOut ?? new Decimal(0)).equals(user.expectedPayout)).map(([key]) => key).slice(0, 10),
    payoutsSucceeded: stateCount('succeeded'),
    payoutsFailed: stateCount('failed'),
    payoutsReturned: stateCount('returned'),
    distinctPayoutReturned: returnedEvents.size,
  };
}
