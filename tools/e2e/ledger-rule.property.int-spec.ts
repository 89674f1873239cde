import { CommissionObserved, CommissionStates, PayoutExecuted, PayoutFailed, PayoutRequested, PayoutReturned, PayoutSubmitted, Topics, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { commissionKey, Decimal, fromEpochMicros, LedgerEvent, PayoutEvent, toEpochMicros } from '@earnings/domain';
import { createDataSource } from '@earnings/persistence';
import { addToBalance, BalanceEntry, commissionKeyOf, CommissionVersion, figuresToStrings, payoutRecordsOf, recomputeBalances, versionFromObservation } from '@earnings/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { LedgerStore, OffsetEvent } from '../../apps/ledger-projector/src/projection/ledger-store';
import { EarningsRepository } from '../../apps/query/src/earnings/earnings.repository';
import { StatementPosition, StatementRepository } from '../../apps/query/src/earnings/statement.repository';
import { createSuiteDatabase, SuiteDatabase } from './test-stack';

/**
 * The ledger's rule in production (PostgreSQL functions, applied set-based by the projector's
 * store, chunk by chunk, partitions at once) against the plain TypeScript fold of libs/testing, on
 * random streams: status moves both ways, re-attribution (to and from the unattributed owner),
 * order-level amount changes, item-level returns before their purchase, exact duplicates,
 * out-of-order versions, and payouts requested, submitted, paid, failed and returned, their steps
 * on three topics in any order. A failure prints fast-check's seed and path;
 * LEDGER_PROPERTY_SEED=<seed> replays it.
 */
const runs = Number(process.env.LEDGER_PROPERTY_RUNS ?? 60);
const seed = process.env.LEDGER_PROPERTY_SEED === undefined ? undefined : Number(process.env.LEDGER_PROPERTY_SEED);
const partitions = 3;
const baseMicros = toEpochMicros('2025-06-01T00:00:00.000000Z');

const users = ['user-a', 'user-b', 'user-c', UNATTRIBUTED_AUI];
const units = ['USD', 'credits'];

const amount = fc.tuple(fc.integer({ min: -50_000, max: 200_000 }), fc.integer({ min: 0, max: 5 }))
  .map(([scaled, scale]) => new Decimal(scaled).dividedBy(new Decimal(10).pow(scale)).toFixed(scale));

const versionFields = fc.record({
  aui: fc.constantFrom(...users),
  unit: fc.constantFrom(...units),
  userAmount: amount,
  state: fc.constantFrom(...CommissionStates),
  paidByNetwork: fc.boolean(),
  order: fc.constantFrom('order-1', 'order-2', null),
});

/** One commission: 1 to 4 versions, each with its own modified date (microseconds apart, often below the millisecond). */
const commission = fc.record({
  source: fc.constantFrom('wildfire' as const, 'firstpromoter' as const),
  number: fc.integer({ min: 1, max: 6 }),
  versions: fc.uniqueArray(fc.record({ micros: fc.integer({ min: 0, max: 3_000_000 }), fields: versionFields }), { minLength: 1, maxLength: 4, selector: (version) => version.micros }),
  // A second content with the same modified date (a source that changed a record without moving its date): the first to arrive
  // counts, the other is a duplicate. Same user, so the same partition: arrival order is defined.
  sameDateVariant: fc.option(fc.record({ userAmount: amount, state: fc.constantFrom(...CommissionStates) }), { nil: null }),
});

/** A payout's life: requested, maybe submitted, then paid (maybe returned later) or failed, or still in flight. */
const payoutLife = fc.record({
  number: fc.integer({ min: 1, max: 4 }),
  aui: fc.constantFrom(...users.slice(0, 3)),
  unit: fc.constantFrom(...units),
  amount: amount.map((text) => new Decimal(text).abs().toFixed()),
  submitted: fc.boolean(),
  end: fc.constantFrom('in-flight', 'succeeded', 'returned', 'failed'),
  atMicros: fc.integer({ min: 0, max: 3_000_000 }),
});

interface Stream {
  events: LedgerEvent[];
  /** Chunk sizes cut from each partition's queue, and which queues go at once. */
  chunking: { size: number; together: boolean }[];
}

const streams: fc.Arbitrary<Stream> = fc
  .record({
    commissions: fc.uniqueArray(commission, { maxLength: 8, selector: (c) => `${c.source}/${c.number}` }),
    payouts: fc.uniqueArray(payoutLife, { maxLength: 4, selector: (p) => p.number }),
    chunking: fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), together: fc.boolean() }), { minLength: 1, maxLength: 10 }),
  })
  .chain(({ commissions, payouts, chunking }) => {
    const observations = commissions.flatMap((c) => {
      const versions = c.versions.map((version) => observationOf(c.source, c.number, version.micros, version.fields));
      const variant = c.sameDateVariant === null ? [] : [{ ...versions[0], ...c.sameDateVariant, sourceStatus: c.sameDateVariant.state.toLowerCase(), observationId: `${versions[0].observationId}:variant` }];
      return [...versions, ...variant];
    });
    const payoutEvents = payouts.flatMap(payoutEventsOf);
    const events: LedgerEvent[] = [...observations, ...payoutEvents];
    // Exact duplicates (a resent callback, an overlapping pull), then any order.
    return fc.array(fc.integer({ min: 1, max: 2 }), { minLength: events.length, maxLength: events.length })
      .chain((repeats) => {
        const repeated = events.flatMap((event, index) => Array.from({ length: repeats[index] }, () => event));
        return fc.shuffledSubarray(repeated, { minLength: repeated.length, maxLength: repeated.length });
      })
      .map((delivered) => ({ events: delivered, chunking }));
  });

function observationOf(source: 'wildfire' | 'firstpromoter', number: number, micros: number, fields: { aui: string; unit: string; userAmount: string; state: CommissionObserved['state']; paidByNetwork: boolean; order: string | null }): CommissionObserved {
  const modifiedDate = fromEpochMicros(baseMicros + BigInt(micros));
  return {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `${source}:c${number}:${modifiedDate}`, source, channel: 'api', commissionId: `c${number}`,
    aui: fields.aui, state: fields.state, sourceStatus: fields.state.toLowerCase(), unit: fields.unit, userAmount: fields.userAmount, applicationAmount: null,
    paidByNetwork: fields.paidByNetwork, saleAmount: null, saleCurrency: null, applicationId: null, merchantId: fields.order === null ? null : 'm-1',
    deviceId: null, merchantOrderId: fields.order, merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null, modifiedDate,
    deliveryId: null, apiVersion: 'v4', observedAt: modifiedDate,
  };
}

function payoutEventsOf(life: { number: number; aui: string; unit: string; amount: string; submitted: boolean; end: string; atMicros: number }): PayoutEvent[] {
  const fields = { schemaVersion: 1 as const, payoutId: `payout-${life.number}`, aui: life.aui, unit: life.unit, amount: life.amount, method: 'paypal' };
  const at = (step: number) => fromEpochMicros(baseMicros + BigInt(life.atMicros + step * 1_000));
  const events: PayoutEvent[] = [{ ...fields, type: 'PayoutRequested', requestedAt: at(0) } satisfies PayoutRequested];
  if (life.submitted) events.push({ ...fields, type: 'PayoutSubmitted', submittedAt: at(1) } satisfies PayoutSubmitted);
  if (life.end === 'failed') events.push({ ...fields, type: 'PayoutFailed', reason: 'refused', failedAt: at(2) } satisfies PayoutFailed);
  if (life.end === 'succeeded' || life.end === 'returned') {
    events.push({ ...fields, type: 'PayoutExecuted', providerReference: null, coveredCommissions: [], executedAt: at(2) } satisfies PayoutExecuted);
  }
  if (life.end === 'returned') events.push({ ...fields, type: 'PayoutReturned', reason: 'RETURNED', returnedAt: at(3) } satisfies PayoutReturned);
  return events;
}

const topicOf = (event: LedgerEvent): string => {
  switch (event.type) {
    case 'CommissionObserved':
      return Topics.commissionObserved;
    case 'PayoutExecuted':
      return Topics.payoutExecuted;
    case 'PayoutFailed':
      return Topics.payoutFailed;
    default:
      return Topics.payoutLifecycle;
  }
};

/** Keyed by AUI, as every producer keys them: one user's events stay in order in one partition. */
const partitionOf = (aui: string): number => [...aui].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) >>> 0, 7) % partitions;

/** Applies the stream as the projector would: per topic partition in order, chunk by chunk, some partitions at once. */
async function project(store: LedgerStore, stream: Stream): Promise<void> {
  const queues = new Map<string, { topic: string; partition: number; events: OffsetEvent[]; next: number }>();
  for (const event of stream.events) {
    const topic = topicOf(event);
    const partition = partitionOf(event.aui);
    const key = `${topic}/${partition}`;
    const queue = queues.get(key) ?? { topic, partition, events: [], next: 0 };
    queue.events.push({ offset: String(queue.events.length), event });
    queues.set(key, queue);
  }
  const pending = () => [...queues.values()].filter((queue) => queue.next < queue.events.length);
  let step = 0;
  while (pending().length > 0) {
    const { size, together } = stream.chunking[step % stream.chunking.length];
    step += 1;
    const chosen = together ? pending() : [pending()[step % pending().length]];
    await Promise.all(chosen.map((queue) => {
      const events = queue.events.slice(queue.next, queue.next + size);
      queue.next += events.length;
      return store.applyChunk({ topic: queue.topic, partition: queue.partition, firstOffset: events[0].offset, lastOffset: events[events.length - 1].offset, events });
    }));
  }
}

/** The oracle: each commission's latest version (greatest modified date, whatever the arrival order) and every payout record. */
function oracleBalances(events: readonly LedgerEvent[], asOfMicros: bigint | null): Map<string, BalanceEntry> {
  const latest = new Map<string, CommissionVersion>();
  for (const event of events) {
    if (event.type !== 'CommissionObserved') continue;
    if (asOfMicros !== null && toEpochMicros(event.modifiedDate) > asOfMicros) continue;
    const version = versionFromObservation(event);
    const current = latest.get(commissionKeyOf(version));
    if (current === undefined || toEpochMicros(version.modifiedDate) > toEpochMicros(current.modifiedDate)) latest.set(commissionKeyOf(version), version);
  }
  const payoutEvents = events.filter((event): event is PayoutEvent => event.type !== 'CommissionObserved');
  return recomputeBalances(latest.values(), payoutEvents);
}

const figuresByBalance = (balances: ReadonlyMap<string, BalanceEntry>): Record<string, Record<string, string>> =>
  Object.fromEntries([...balances.values()].map((entry) => [`${entry.aui}/${entry.unit}`, figuresToStrings(entry.figures)]).sort(([left], [right]) => (left < right ? -1 : 1)));

/** A whole statement read two lines a page (paging is part of what is checked); the sum of its lines. */
async function readStatement(repository: StatementRepository, aui: string, unit: string, from: string | null, to: string | null): Promise<{ opening: string; closing: string; sum: string }> {
  let after: StatementPosition | null = null;
  let sum = new Decimal(0);
  for (;;) {
    const page = await repository.statementOf(aui, unit, { from, to }, after, 3);
    for (const line of page.lines.slice(0, 2)) sum = sum.plus(line.amount);
    if (page.lines.length <= 2) return { opening: page.opening, closing: page.closing, sum: sum.toFixed() };
    after = page.lines[1].position;
  }
}

describe('the ledger rule in PostgreSQL agrees with the TypeScript oracle on random streams', () => {
  let database: SuiteDatabase;
  let dataSource: DataSource;
  let run = 0;

  beforeAll(async () => {
    database = await createSuiteDatabase('ledger_rule_property');
    dataSource = createDataSource({ url: database.url, applicationName: 'ledger-rule-property', poolSizeMax: 6 });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** A fresh projection schema per run, pointed at, so the store writes (and the history reads) only this stream. */
  async function freshProjection(): Promise<string> {
    run += 1;
    const schema = `ledger_${1000 + run}`;
    await dataSource.query('SELECT create_ledger_projection($1)', [schema]);
    await dataSource.query(`UPDATE projection_pointer SET schema_name = $1 WHERE name = 'ledger'`, [schema]);
    await dataSource.query('SELECT publish_ledger_views($1)', [schema]);
    return schema;
  }

  it('balances, latest versions, announcements and figures as of a moment', async () => {
    await fc.assert(
      fc.asyncProperty(streams, fc.integer({ min: 0, max: 3_010_000 }), async (stream, momentMicros) => {
        const schema = await freshProjection();
        await project(new LedgerStore(dataSource, schema, 'property'), stream);

        const stored: Record<string, string>[] = await dataSource.query(
          `SELECT aui, unit, lifetime::text, pending::text, payable::text, paid_by_network::text AS "paidByNetwork", paid_out::text AS "paidOut",
                  reserved::text, pending_reversals::text AS "pendingReversals", available::text
             FROM ${schema}.balance WHERE lifetime <> 0 OR pending <> 0 OR payable <> 0 OR paid_by_network <> 0 OR paid_out <> 0 OR reserved <> 0 OR pending_reversals <> 0`,
        );
        const expected = figuresByBalance(oracleBalances(stream.events, null));
        expect(Object.fromEntries(stored.map(({ aui, unit, ...figures }) => [`${aui}/${unit}`, figures]).sort(([left], [right]) => (left < right ? -1 : 1)))).toEqual(expected);

        const latest: { source: string; commission_id: string; modified_date: string }[] = await dataSource.query(`SELECT source, commission_id, to_char(modified_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS modified_date FROM ${schema}.commission`);
        const newest = new Map<string, string>();
        for (const event of stream.events) {
          if (event.type !== 'CommissionObserved') continue;
          const key = commissionKey(event.source, event.commissionId);
          if ((newest.get(key) ?? '') < event.modifiedDate) newest.set(key, event.modifiedDate);
        }
        expect(new Map(latest.map((row) => [commissionKey(row.source, row.commission_id), row.modified_date]))).toEqual(newest);

        // Every payout record as the domain merges it, whatever order its steps came in.
        const records: { payout_id: string; state: string }[] = await dataSource.query(`SELECT payout_id, state FROM ${schema}.payout ORDER BY payout_id`);
        const payoutEvents = stream.events.filter((event): event is PayoutEvent => event.type !== 'CommissionObserved');
        expect(records.map((row) => [row.payout_id, row.state])).toEqual([...payoutRecordsOf(payoutEvents).values()].map((record) => [record.payoutId, record.state]).sort());

        // The last announcement of each balance says what the balance holds.
        const announced: { payload: { aui: string; unit: string; lifetime: string; available: string; sequence: string } }[] = await dataSource.query(`SELECT payload FROM ${schema}.outbox ORDER BY id`);
        const lastAnnounced = new Map<string, { lifetime: string; available: string }>();
        for (const { payload } of announced) lastAnnounced.set(`${payload.aui}/${payload.unit}`, { lifetime: payload.lifetime, available: payload.available });
        for (const [key, figures] of lastAnnounced) expect({ key, ...figures }).toEqual({ key, lifetime: expected[key]?.lifetime ?? '0', available: expected[key]?.available ?? '0' });

        // History and point-in-time read the same rule: lifetime and paid out as of a moment.
        const moment = fromEpochMicros(baseMicros + BigInt(momentMicros));
        const asOf = new Map<string, BalanceEntry>();
        const payoutsAsOf = [...payoutRecordsOf(payoutEvents).values()];
        for (const entry of oracleBalances(stream.events.filter((event) => event.type === 'CommissionObserved'), baseMicros + BigInt(momentMicros)).values()) addToBalance(asOf, entry.aui, entry.unit, entry.figures);
        const repository = new EarningsRepository(dataSource);
        for (const aui of users.slice(0, 3)) {
          const rows = await repository.earningsAsOf(aui, [moment]);
          const expectedRows = units.flatMap((unit) => {
            const lifetime = [...asOf.values()].find((entry) => entry.aui === aui && entry.unit === unit)?.figures.lifetime ?? new Decimal(0);
            const paidOut = payoutsAsOf
              .filter((record) => record.aui === aui && record.unit === unit && record.executedAt !== null && record.executedAt <= moment && !(record.state === 'returned' && record.endedAt !== null && record.endedAt <= moment))
              .reduce((sum, record) => sum.plus(record.amount), new Decimal(0));
            return lifetime.isZero() && paidOut.isZero() ? [] : [{ at: moment, unit, lifetime: lifetime.toFixed(), paidOut: paidOut.toFixed() }];
          });
          expect({ aui, rows: rows.filter((row) => row.lifetime !== '0' || row.paidOut !== '0') }).toEqual({ aui, rows: expectedRows });
        }

        // Statements: read page by page, the lines add up to closing minus opening, and without an end the closing
        // balance is the available balance GraphQL shows; a statement from a moment opens where one up to it closes.
        const statements = new StatementRepository(dataSource);
        for (const aui of users) {
          for (const unit of units) {
            const whole = await readStatement(statements, aui, unit, null, null);
            expect({ aui, unit, closing: whole.closing }).toEqual({ aui, unit, closing: expected[`${aui}/${unit}`]?.available ?? '0' });
            const fromMoment = await readStatement(statements, aui, unit, moment, null);
            const upToMoment = await readStatement(statements, aui, unit, null, moment);
            expect({ aui, unit, opening: fromMoment.opening, closing: fromMoment.closing }).toEqual({ aui, unit, opening: upToMoment.closing, closing: whole.closing });
            for (const statement of [whole, fromMoment, upToMoment]) {
              expect({ aui, unit, sum: statement.sum }).toEqual({ aui, unit, sum: new Decimal(statement.closing).minus(statement.opening).toFixed() });
            }
          }
        }
      }),
      // Shrinking a failure is bounded, so the report (seed, path, smallest stream so far) arrives within the suite's time.
      { numRuns: runs, seed, endOnFailure: process.env.LEDGER_PROPERTY_SHRINK === 'false', interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
    );
  });
});
