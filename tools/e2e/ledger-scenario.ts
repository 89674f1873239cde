import { checkCommissionObserved, checkPayoutExecuted, CommissionObserved, CommissionState, PayoutExecuted, Topics } from '@earnings/contracts';
import { commissionKey, Decimal, fromEpochMicros, toEpochMicros } from '@earnings/domain';
import { balanceKey, BalanceEntry, BalanceFigures, figureNames, recomputeBalances, versionFromObservation, zeroFigures } from '@earnings/testing';
import { MessageSender, TopicMessages } from '@earnings/kafka';
import { Client } from 'pg';
import { createSuiteDatabase, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, testKafka, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * A seeded history of observations and payouts for the projector's fault tests and soak, and two
 * independent oracles of the balances it must end with. Shared by tools/e2e/projector-*.int-spec.ts
 * and tools/soak/*, so the test and the soak check the same thing.
 */
export interface LedgerScenario {
  auiPrefix: string;
  observations: CommissionObserved[];
  payouts: PayoutExecuted[];
}

export const scenarioUnits = ['USD', 'EUR', 'credits'] as const;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CommissionPlan {
  source: CommissionObserved['source'];
  commissionId: string;
  aui: string;
  unit: string;
  orderId: string;
  baseMicros: bigint;
  usedMicros: Set<bigint>;
  /** Versions emitted so far, any order. */
  versions: CommissionObserved[];
  nextVersion: number;
}

const scenarioEpochMicros = toEpochMicros('2024-01-01T00:00:00.000000Z');
/** Every commission's versions lie within this window after its base time, so commissions never share a time by accident. */
const versionWindowMicros = 10_000_000_000n;

/**
 * `observationCount` CommissionObserved (duplicates, stale versions, reversals as a new version of
 * the same id, as a new negative item, and both) and about one PayoutExecuted per 500, some replayed.
 */
export function generateScenario(options: { seed: number; auiPrefix: string; observationCount: number }): LedgerScenario {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const userCount = Math.max(10, Math.floor(options.observationCount / 100));
  const auis = Array.from({ length: userCount }, (_, index) => `${options.auiPrefix}-u${index}`);
  const commissions: CommissionPlan[] = [];
  const observations: CommissionObserved[] = [];
  const emit = (observation: CommissionObserved) => observations.push(observation);

  const newCommission = (aui: string, unit: string, orderId: string): CommissionPlan => {
    const index = commissions.length;
    const plan: CommissionPlan = {
      source: random() < 0.7 ? 'wildfire' : 'firstpromoter',
      commissionId: `${options.auiPrefix}-c${index}`,
      aui, unit, orderId,
      baseMicros: scenarioEpochMicros + BigInt(index) * versionWindowMicros * 2n,
      usedMicros: new Set(), versions: [], nextVersion: 0,
    };
    commissions.push(plan);
    return plan;
  };

  while (observations.length < options.observationCount) {
    const roll = random();
    if (roll < 0.35 || commissions.length < 5) {
      const plan = newCommission(pick(auis), pick(scenarioUnits), `${options.auiPrefix}-o${commissions.length}`);
      emit(nextVersion(plan, random, randomAmount(random, false), 'PENDING'));
    } else if (roll < 0.6) {
      // A later version of a recent commission: progress, or an order-level change of the same id.
      const plan = pick(commissions.slice(-200));
      const state = pick<CommissionState>(['CONFIRMED', 'READY', 'PAYABLE', 'PAYABLE', 'REJECTED']);
      const amount = random() < 0.3 ? randomAmount(random, false) : plan.versions[plan.versions.length - 1].userAmount;
      emit(nextVersion(plan, random, amount, state));
    } else if (roll < 0.7) {
      // Item-level return: a new commission id with a negative amount for the same order.
      const original = pick(commissions.slice(-200));
      const item = newCommission(original.aui, original.unit, original.orderId);
      emit(nextVersion(item, random, randomAmount(random, true), pick<CommissionState>(['PENDING', 'PAYABLE'])));
    } else if (roll < 0.78) {
      // Mixed: the order's amount changes and a negative item arrives too.
      const original = pick(commissions.slice(-200));
      emit(nextVersion(original, random, randomAmount(random, false), 'PAYABLE'));
      const item = newCommission(original.aui, original.unit, original.orderId);
      emit(nextVersion(item, random, randomAmount(random, true), 'PAYABLE'));
    } else if (roll < 0.92) {
      // An exact duplicate: callbacks and API pulls overlap.
      emit({ ...pick(observations) });
    } else {
      const plan = pick(commissions.slice(-200));
      emit(staleVersion(plan, random));
    }
  }
  observations.length = options.observationCount;
  return { auiPrefix: options.auiPrefix, observations, payouts: generatePayouts(random, auis, Math.max(3, Math.floor(options.observationCount / 500)), options.auiPrefix) };
}

function nextVersion(plan: CommissionPlan, random: () => number, userAmount: string, state: CommissionState): CommissionObserved {
  plan.nextVersion += 1;
  // Some versions differ from the previous one in the last microsecond digits only.
  const step = random() < 0.2 ? BigInt(1 + Math.floor(random() * 9)) : BigInt(1 + Math.floor(random() * 1_000_000));
  const latest = plan.versions.reduce((max, version) => (toEpochMicros(version.modifiedDate) > max ? toEpochMicros(version.modifiedDate) : max), plan.baseMicros);
  return recordVersion(plan, latest + step, userAmount, state, random);
}

/** An older version than any emitted so far, with other content: it must never win. */
function staleVersion(plan: CommissionPlan, random: () => number): CommissionObserved {
  let micros = plan.baseMicros - BigInt(1 + Math.floor(random() * 1_000_000));
  while (plan.usedMicros.has(micros)) micros -= 1n;
  return recordVersion(plan, micros, randomAmount(random, false), 'PAYABLE', random);
}

function recordVersion(plan: CommissionPlan, micros: bigint, userAmount: string, state: CommissionState, random: () => number): CommissionObserved {
  if (plan.usedMicros.has(micros) || micros - plan.baseMicros >= versionWindowMicros) throw new Error(`scenario generator reused a version time of ${plan.commissionId}`);
  plan.usedMicros.add(micros);
  const modifiedDate = fromEpochMicros(micros);
  const observation: CommissionObserved = {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `${plan.source}:${plan.commissionId}:${micros}`, source: plan.source,
    channel: plan.source === 'wildfire' ? 'api' : 'webhook', commissionId: plan.commissionId, aui: plan.aui, state,
    sourceStatus: state.toLowerCase(), unit: plan.unit, userAmount, applicationAmount: userAmount,
    paidByNetwork: plan.source === 'wildfire' && state === 'PAYABLE' && random() < 0.1,
    saleAmount: null, saleCurrency: null, applicationId: '104', merchantId: '42', deviceId: null, merchantOrderId: plan.orderId,
    merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null, modifiedDate, deliveryId: null,
    apiVersion: 'v4', observedAt: modifiedDate,
  };
  const checked = checkCommissionObserved(observation);
  if (!checked.ok) throw new Error(`scenario generator made an invalid observation: ${checked.reason}`);
  plan.versions.push(observation);
  return observation;
}

/** A decimal string with five fractional digits (Wildfire's precision), built from integers: never a float. */
function randomAmount(random: () => number, negative: boolean): string {
  const hundredThousandths = 1 + Math.floor(random() * 5_000_000);
  const text = `${Math.floor(hundredThousandths / 100_000)}.${String(hundredThousandths % 100_000).padStart(5, '0')}`;
  return negative ? `-${text}` : text;
}

function generatePayouts(random: () => number, auis: string[], count: number, prefix: string): PayoutExecuted[] {
  const payouts: PayoutExecuted[] = [];
  for (let index = 0; index < count; index += 1) {
    const payout: PayoutExecuted = {
      type: 'PayoutExecuted', schemaVersion: 1, payoutId: `${prefix}-p${index}`, aui: auis[Math.floor(random() * auis.length)],
      unit: scenarioUnits[index % scenarioUnits.length], amount: `${1 + Math.floor(random() * 9)}.${Math.floor(random() * 100)}`,
      method: 'paypal', providerReference: null, coveredCommissions: [], executedAt: '2024-02-01T00:00:00.000000Z',
    };
    const checked = checkPayoutExecuted(payout);
    if (!checked.ok) throw new Error(`scenario generator made an invalid payout: ${checked.reason}`);
    payouts.push(payout);
    // A replayed payout-executed message: the ledger applies a payout id once.
    if (random() < 0.3) payouts.push({ ...payout });
  }
  return payouts;
}

/** Oracle one: the domain's own brute force over the latest version of each commission. */
export function expectedBalancesFromDomain(scenario: LedgerScenario): Map<string, BalanceEntry> {
  const latest = new Map<string, CommissionObserved>();
  for (const observation of scenario.observations) {
    const key = commissionKey(observation.source, observation.commissionId);
    const stored = latest.get(key);
    if (!stored || toEpochMicros(observation.modifiedDate) > toEpochMicros(stored.modifiedDate)) latest.set(key, observation);
  }
  return recomputeBalances([...latest.values()].map(versionFromObservation), scenario.payouts);
}

/** Oracle two, written without the domain's ledger code: latest by numeric time, figures by the README's rules. */
export function expectedBalancesBruteForce(scenario: LedgerScenario): Map<string, BalanceFigures> {
  const latest = new Map<string, CommissionObserved>();
  for (const observation of scenario.observations) {
    const key = `${observation.source}\u0000${observation.commissionId}`;
    const stored = latest.get(key);
    if (stored === undefined || toEpochMicros(observation.modifiedDate) > toEpochMicros(stored.modifiedDate)) latest.set(key, observation);
  }
  const balances = new Map<string, BalanceFigures>();
  const add = (aui: string, unit: string, figure: (typeof figureNames)[number], amount: Decimal) => {
    const key = balanceKey(aui, unit);
    const figures = { ...(balances.get(key) ?? zeroFigures) };
    figures[figure] = figures[figure].plus(amount);
    balances.set(key, figures);
  };
  // Per merchant order: what it made payable, and its returns still pending.
  const orders = new Map<string, { aui: string; unit: string; payable: Decimal; pendingReturns: Decimal }>();
  for (const version of latest.values()) {
    const amount = new Decimal(version.userAmount);
    if (version.state === 'REJECTED') continue;
    add(version.aui, version.unit, 'lifetime', amount);
    if (version.state === 'PAYABLE') add(version.aui, version.unit, version.paidByNetwork ? 'paidByNetwork' : 'payable', amount);
    else add(version.aui, version.unit, 'pending', amount);
    const pendingReturn = version.state !== 'PAYABLE' && amount.isNegative();
    if (version.merchantOrderId === null) {
      // A return that names no order is withheld in full.
      if (pendingReturn) add(version.aui, version.unit, 'pendingReversals', amount);
      continue;
    }
    const orderKey = JSON.stringify([version.aui, version.unit, version.source, version.merchantId ?? '', version.merchantOrderId]);
    const order = orders.get(orderKey) ?? { aui: version.aui, unit: version.unit, payable: new Decimal(0), pendingReturns: new Decimal(0) };
    if (version.state === 'PAYABLE' && !version.paidByNetwork) order.payable = order.payable.plus(amount);
    if (pendingReturn) order.pendingReturns = order.pendingReturns.plus(amount);
    orders.set(orderKey, order);
  }
  // A pending return of an order is withheld up to what its order made payable.
  for (const order of orders.values()) add(order.aui, order.unit, 'pendingReversals', Decimal.max(order.pendingReturns, Decimal.max(order.payable, 0).negated()));
  const paid = new Set<string>();
  for (const payout of scenario.payouts) {
    if (paid.has(payout.payoutId)) continue;
    paid.add(payout.payoutId);
    add(payout.aui, payout.unit, 'paidOut', new Decimal(payout.amount));
  }
  return balances;
}

/** The projection's balances of this scenario's AUIs, read from the schema projection_pointer names. */
export async function readProjectedBalances(databaseUrl: string, auiPrefix: string): Promise<Map<string, BalanceFigures>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const schema = await pointedSchema(client);
    const rows = (await client.query(
      `SELECT aui, unit, lifetime::text, pending::text, payable::text, paid_by_network::text, paid_out::text, reserved::text, pending_reversals::text
         FROM ${schema}.balance WHERE starts_with(aui, $1)`,
      [`${auiPrefix}-`],
    )).rows;
    return new Map(rows.map((row) => [balanceKey(row.aui, row.unit), {
      lifetime: new Decimal(row.lifetime), pending: new Decimal(row.pending), payable: new Decimal(row.payable),
      paidByNetwork: new Decimal(row.paid_by_network), paidOut: new Decimal(row.paid_out), reserved: new Decimal(row.reserved),
      pendingReversals: new Decimal(row.pending_reversals),
    }]));
  } finally {
    await client.end();
  }
}

/** Keys whose figures differ between two balance maps; a missing entry counts as all zeros. */
export function balanceMismatches(actual: Map<string, BalanceFigures>, expected: Map<string, BalanceFigures>): string[] {
  const mismatches: string[] = [];
  for (const key of new Set([...actual.keys(), ...expected.keys()])) {
    const left = actual.get(key) ?? zeroFigures;
    const right = expected.get(key) ?? zeroFigures;
    const differing = figureNames.filter((name) => !left[name].equals(right[name]));
    if (differing.length > 0) mismatches.push(`${key}: ${differing.map((name) => `${name} ${left[name].toFixed()} != ${right[name].toFixed()}`).join(', ')}`);
  }
  return mismatches;
}

export const figuresOf = (entries: Map<string, BalanceEntry>): Map<string, BalanceFigures> => new Map([...entries].map(([key, entry]) => [key, entry.figures]));

/** Double counting checks: versions stored once, payouts applied once, one row per commission at its latest time. */
export async function readProjectionCounts(databaseUrl: string, auiPrefix: string): Promise<{ versionDuplicates: number; appliedPayouts: number; commissions: number; commissionsNotLatest: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const schema = await pointedSchema(client);
    const prefix = `${auiPrefix}-`;
    const one = async (sql: string, parameters: unknown[] = [prefix]) => Number((await client.query(sql, parameters)).rows[0].count);
    return {
      versionDuplicates: await one(`SELECT count(*) - count(DISTINCT (source, commission_id, observation_id)) AS count FROM ${schema}.commission_version WHERE starts_with(aui, $1)`),
      appliedPayouts: await one(`SELECT count(*) AS count FROM ${schema}.payout WHERE starts_with(aui, $1)`),
      commissions: await one(`SELECT count(*) AS count FROM ${schema}.commission WHERE starts_with(aui, $1)`),
      commissionsNotLatest: await one(
        `SELECT count(*) AS count FROM ${schema}.commission c
          WHERE starts_with(c.aui, $1)
            AND c.modified_date <> (SELECT max(v.modified_date) FROM ${schema}.commission_version v WHERE v.source = c.source AND v.commission_id = c.commission_id)`,
      ),
    };
  } finally {
    await client.end();
  }
}

export function distinctCommissions(scenario: LedgerScenario): number {
  return new Set(scenario.observations.map((observation) => commissionKey(observation.source, observation.commissionId))).size;
}

export function distinctPayouts(scenario: LedgerScenario): number {
  return new Set(scenario.payouts.map((payout) => payout.payoutId)).size;
}

async function pointedSchema(client: Client): Promise<string> {
  const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  return schema;
}

/** Batches per send: large enough to be quick, small enough to stay under the broker's message size limit. */
const produceBatchMessagesMax = 1_000;

/**
 * Produces the scenario (key = AUI) as a service would (idempotent, acks=all), observations and payouts
 * interleaved; `onBatch` runs after each acknowledged batch so a caller can inject faults mid-stream.
 */
export async function produceScenario(brokers: string, scenario: LedgerScenario, onBatch: (sent: number) => Promise<void> = async () => undefined): Promise<void> {
  const producer = new MessageSender(testKafka('ledger-scenario', brokers));
  await producer.connect();
  try {
    const payoutEvery = Math.max(1, Math.floor(scenario.observations.length / Math.max(1, scenario.payouts.length)));
    let payoutIndex = 0;
    for (let start = 0; start < scenario.observations.length; start += produceBatchMessagesMax) {
      const slice = scenario.observations.slice(start, start + produceBatchMessagesMax);
      const payoutsDue = scenario.payouts.slice(payoutIndex, Math.min(scenario.payouts.length, Math.floor((start + slice.length) / payoutEvery)));
      payoutIndex += payoutsDue.length;
      const topicMessages: TopicMessages[] = [{ topic: Topics.commissionObserved, messages: slice.map((observation) => ({ key: observation.aui, value: JSON.stringify(observation) })) }];
      if (payoutsDue.length > 0) topicMessages.push({ topic: Topics.payoutExecuted, messages: payoutsDue.map((payout) => ({ key: payout.aui, value: JSON.stringify(payout) })) });
      await producer.send(topicMessages);
      await onBatch(start + slice.length);
    }
    const rest = scenario.payouts.slice(payoutIndex);
    if (rest.length > 0) await producer.send([{ topic: Topics.payoutExecuted, messages: rest.map((payout) => ({ key: payout.aui, value: JSON.stringify(payout) })) }]);
  } finally {
    await producer.disconnect();
  }
}

export interface FaultRunOptions {
  label: string;
  seed: number;
  observationCount: number;
  killCount: number;
  /** Random wait between a restart and the next kill: the projector gets time to apply something between crashes. */
  killDelayMsMax: number;
  catchUpTimeoutMs: number;
}

export interface FaultRun {
  scenario: LedgerScenario;
  database: SuiteDatabase;
  apps: RunningApps;
  env: Record<string, string>;
  consumerGroup: string;
  kills: number;
  durationSeconds: number;
}

/**
 * Starts a projector on its own database and consumer group, produces the scenario while killing
 * the projector with SIGKILL `killCount` times at random moments (restarting it each time), and
 * waits until it applied everything. The caller checks the balances and stops the apps.
 */
export async function runProjectorUnderKills(options: FaultRunOptions): Promise<FaultRun> {
  const { brokers } = requireTestInfrastructure();
  const random = seededRandom(options.seed ^ 0x5eed);
  const suffix = uniqueSuffix();
  const scenario = generateScenario({ seed: options.seed, auiPrefix: `${options.label}-${suffix}`, observationCount: options.observationCount });
  const database = await createSuiteDatabase(options.label.replace(/[^a-z0-9_]/g, '_'));
  const consumerGroup = `${options.label}-${suffix}`;
  const env = {
    KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: consumerGroup,
    PROJECTOR_SESSION_TIMEOUT_MS: '6000', PROJECTION_POINTER_POLL_MS: '500', LOG_LEVEL: 'warn',
  };
  const startedAt = Date.now();
  const apps = await startApps(['ledger-projector'], env);
  let kills = 0;
  const killer = (async () => {
    for (let round = 0; round < options.killCount; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * options.killDelayMsMax)));
      await apps.services.get('ledger-projector')?.kill();
      kills += 1;
      await restartApp(apps, 'ledger-projector', env);
    }
  })();
  await Promise.all([produceScenario(brokers, scenario), killer]);
  await waitForProjectorToCatchUp(database.url, consumerGroup, options.catchUpTimeoutMs);
  return { scenario, database, apps, env, consumerGroup, kills, durationSeconds: (Date.now() - startedAt) / 1000 };
}

export interface FaultRunCheck {
  mismatchesWithDomainOracle: string[];
  mismatchesWithBruteForce: string[];
  counts: Awaited<ReturnType<typeof readProjectionCounts>>;
  expectedCommissions: number;
  expectedPayouts: number;
}

/** Everything the fault test and the soak assert, in one place. */
export async function checkProjection(databaseUrl: string, scenario: LedgerScenario): Promise<FaultRunCheck> {
  const projected = await readProjectedBalances(databaseUrl, scenario.auiPrefix);
  return {
    mismatchesWithDomainOracle: balanceMismatches(projected, figuresOf(expectedBalancesFromDomain(scenario))),
    mismatchesWithBruteForce: balanceMismatches(projected, expectedBalancesBruteForce(scenario)),
    counts: await readProjectionCounts(databaseUrl, scenario.auiPrefix),
    expectedCommissions: distinctCommissions(scenario),
    expectedPayouts: distinctPayouts(scenario),
  };
}
