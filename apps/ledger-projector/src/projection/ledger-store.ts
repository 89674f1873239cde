import { CommissionObserved, Topics, cloudEventHeaders, BalanceChanged, assertBalanceChanged } from '@earnings/contracts';
import { BatchPlan, CommissionVersion, canonicalTimestamp, Decimal, LedgerEvent, LedgerPayout, planBatch, commissionKey, PayoutEvent, toDecimalString } from '@earnings/domain';
import { ArrayElement, arrayLiteral, assertSchemaName, LEDGER_PROJECTION } from '@earnings/persistence';
import { DataSource, EntityManager } from 'typeorm';

export interface OffsetEvent {
  offset: string;
  event: LedgerEvent;
}

export interface PartitionChunk {
  topic: string;
  partition: number;
  /** The first offset of the chunk, valid or not: above the stored next offset means messages would be skipped. */
  firstOffset: string;
  /** Valid events of the chunk, in offset order. Invalid ones went to the dead-letter topic. */
  events: OffsetEvent[];
  /** The last offset of the chunk, valid or not: everything up to it is done once this commits. */
  lastOffset: string;
}

export interface LedgerStoreOptions {
  /**
   * Write BalanceChanged to the outbox for the relay. A rebuild says no: its events were
   * announced when the live projection applied them, and must not reach payout twice.
   */
  announceBalanceChanges: boolean;
  /**
   * Refuse to write once projection_pointer names another schema. The live projector says yes,
   * so after a rebuild switched readers no chunk lands in the abandoned schema; a rebuild
   * writes into a schema nobody points at yet, so it says no.
   */
  requirePointedTo: boolean;
}

/** Thrown inside a chunk's transaction (so nothing of the chunk commits) once readers moved to another schema. */
export class ProjectionSwitchedError extends Error {
  constructor(readonly fromSchema: string, readonly toSchema: string) {
    super(`projection_pointer moved from ${fromSchema} to ${toSchema}`);
  }
}

/**
 * The chunk starts above the stored next offset. Kafka's committed offsets can be ahead of a
 * schema's after a rebuild switched readers to it; applying would silently skip messages.
 */
export class OffsetGapError extends Error {
  constructor(readonly topic: string, readonly partition: number, readonly nextOffset: bigint, readonly firstOffset: bigint) {
    super(`${topic}/${partition}: chunk starts at ${firstOffset}, the projection expects ${nextOffset}`);
  }
}

export interface ChunkOutcome {
  skippedAlreadyApplied: number;
  applied: number;
  duplicates: number;
  balancesChanged: number;
}

/**
 * All SQL of the ledger projection. A chunk is applied in one transaction together with the
 * offset it advances, so a crash or a redelivery can never count an event twice: a message
 * below the stored next offset was already applied and is skipped.
 */
export class LedgerStore {
  readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly consumerGroup: string,
    private readonly options: LedgerStoreOptions = { announceBalanceChanges: true, requirePointedTo: true },
  ) {
    this.schema = assertSchemaName(schema);
  }

  async storedOffsets(topics: string[]): Promise<{ topic: string; partition: number; nextOffset: string }[]> {
    const rows: { topic: string; partition: number; next_offset: string }[] = await this.dataSource.query(
      `SELECT topic, partition, next_offset FROM ${this.schema}.consumer_offset WHERE consumer_group = $1 AND topic = ANY($2)`,
      [this.consumerGroup, topics],
    );
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, nextOffset: row.next_offset }));
  }

  async applyChunk(chunk: PartitionChunk): Promise<ChunkOutcome> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      if (this.options.requirePointedTo) await this.assertStillPointedTo(manager);
      const nextOffset = await this.lockOffset(manager, chunk);
      if (BigInt(chunk.firstOffset) > nextOffset) throw new OffsetGapError(chunk.topic, chunk.partition, nextOffset, BigInt(chunk.firstOffset));
      const fresh = chunk.events.filter((item) => BigInt(item.offset) >= nextOffset);
      const plan = planBatch({
        storedVersions: await this.lockStoredVersions(manager, fresh),
        storedPayouts: await this.lockStoredPayouts(manager, fresh),
        events: fresh.map((item) => item.event),
      });
      await this.writeCommissions(manager, plan, eventReferences(chunk.partition, fresh));
      await this.writePayouts(manager, plan.changedPayouts);
      const balancesChanged = await this.writeBalancesAndOutbox(manager, plan);
      if (BigInt(chunk.lastOffset) + 1n > nextOffset) {
        await manager.query(
          `UPDATE ${this.schema}.consumer_offset SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
          [this.consumerGroup, chunk.topic, chunk.partition, (BigInt(chunk.lastOffset) + 1n).toString()],
        );
      }
      return {
        skippedAlreadyApplied: chunk.events.length - fresh.length,
        applied: plan.appliedObservations.length + plan.appliedPayouts.length,
        duplicates: plan.duplicates.length,
        balancesChanged,
      };
    });
  }

  /**
   * FOR SHARE makes a switch (UPDATE projection_pointer) wait for the chunk in flight, and a
   * chunk that starts after the switch sees the new value: the old schema is frozen exactly at
   * the switch.
   */
  private async assertStillPointedTo(manager: EntityManager): Promise<void> {
    const rows: { schema_name: string }[] = await manager.query(`SELECT schema_name FROM projection_pointer WHERE name = $1 FOR SHARE`, [LEDGER_PROJECTION]);
    const pointedTo = rows[0]?.schema_name ?? '(none)';
    if (pointedTo !== this.schema) throw new ProjectionSwitchedError(this.schema, pointedTo);
  }

  private async lockOffset(manager: EntityManager, chunk: PartitionChunk): Promise<bigint> {
    await manager.query(
      `INSERT INTO ${this.schema}.consumer_offset (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
      [this.consumerGroup, chunk.topic, chunk.partition],
    );
    const rows: { next_offset: string }[] = await manager.query(
      `SELECT next_offset FROM ${this.schema}.consumer_offset WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [this.consumerGroup, chunk.topic, chunk.partition],
    );
    return BigInt(rows[0].next_offset);
  }

  private async lockStoredVersions(manager: EntityManager, events: OffsetEvent[]): Promise<Map<string, CommissionVersion>> {
    const observations = events.map((item) => item.event).filter(isObservation);
    const stored = new Map<string, CommissionVersion>();
    if (observations.length === 0) return stored;
    const rows: CommissionRow[] = await manager.query(
      `SELECT source, commission_id, aui, unit, user_amount, state, paid_by_network, modified_date, observation_id
         FROM ${this.schema}.commission
        WHERE (source, commission_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY source, commission_id
        FOR UPDATE`,
      [observations.map((item) => item.source), observations.map((item) => item.commissionId)],
    );
    for (const row of rows) stored.set(commissionKey(row.source, row.commission_id), versionFromRow(row));
    return stored;
  }

  private async lockStoredPayouts(manager: EntityManager, events: OffsetEvent[]): Promise<Map<string, LedgerPayout>> {
    const payoutIds = [...new Set(events.map((item) => item.event).filter(isPayoutEvent).map((payout) => payout.payoutId))].sort(compareText);
    if (payoutIds.length === 0) return new Map();
    // Payout steps arrive on three topics applied concurrently, and the first two steps of a payout
    // may both find no row: a transaction lock per payout id (taken in one order) serialises them.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger-payout:' || id, 0)) FROM unnest($1::text[]) AS id ORDER BY id`, [payoutIds]);
    const rows: PayoutRecordRow[] = await manager.query(
      `SELECT payout_id, aui, unit, amount::text, method, state, requested_at, executed_at, ended_at, end_reason
         FROM ${this.schema}.payout WHERE payout_id = ANY($1) ORDER BY payout_id FOR UPDATE`,
      [payoutIds],
    );
    return new Map(rows.map((row) => [row.payout_id, payoutFromRow(row)]));
  }

  private async writeCommissions(manager: EntityManager, plan: BatchPlan, references: ReadonlyMap<CommissionObserved, EventReference>): Promise<void> {
    if (plan.changedVersions.length === 0) return;
    const observationsById = new Map(plan.appliedObservations.map((observation) => [observation.observationId, observation]));
    const latest = plan.changedVersions
      .map((version) => {
        const observation = observationsById.get(version.observationId);
        if (!observation) throw new Error(`plan names observation ${version.observationId} that it did not apply`);
        return observation;
      })
      // One order in every transaction, so concurrent partitions inserting the same new key cannot deadlock.
      .sort((left, right) => compareText(left.source, right.source) || compareText(left.commissionId, right.commissionId));
    // Counted in SQL: one row back per chunk, not one per commission written.
    const [{ written }]: { written: number }[] = await manager.query(
      `WITH written AS (
       INSERT INTO ${this.schema}.commission AS c (source, commission_id, aui, unit, user_amount, application_amount, state, source_status,
              paid_by_network, sale_amount, sale_currency, application_id, merchant_id, merchant_order_id, event_date, modified_date,
              observation_id, channel, locking_date)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::text[],
              $9::boolean[], $10::numeric[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[],
              $17::text[], $18::text[], $19::timestamptz[])
       ON CONFLICT (source, commission_id) DO UPDATE SET
         aui = EXCLUDED.aui, unit = EXCLUDED.unit, user_amount = EXCLUDED.user_amount, application_amount = EXCLUDED.application_amount,
         state = EXCLUDED.state, source_status = EXCLUDED.source_status, paid_by_network = EXCLUDED.paid_by_network,
         sale_amount = EXCLUDED.sale_amount, sale_currency = EXCLUDED.sale_currency, application_id = EXCLUDED.application_id,
         merchant_id = EXCLUDED.merchant_id, merchant_order_id = EXCLUDED.merchant_order_id, event_date = EXCLUDED.event_date,
         modified_date = EXCLUDED.modified_date, observation_id = EXCLUDED.observation_id, channel = EXCLUDED.channel,
         locking_date = EXCLUDED.locking_date, updated_at = now()
       WHERE c.modified_date < EXCLUDED.modified_date
       RETURNING 1)
       SELECT count(*)::int AS written FROM written`,
      columns(latest, [
        (o) => o.source, (o) => o.commissionId, (o) => o.aui, (o) => o.unit, (o) => o.userAmount, (o) => o.applicationAmount,
        (o) => o.state, (o) => o.sourceStatus, (o) => o.paidByNetwork, (o) => o.saleAmount, (o) => o.saleCurrency,
        (o) => o.applicationId, (o) => o.merchantId, (o) => o.merchantOrderId, (o) => o.eventDate, (o) => o.modifiedDate,
        (o) => o.observationId, (o) => o.channel, (o) => o.lockingDate,
      ]),
    );
    // The rows were locked and compared by the pure ledger: a mismatch means the plan and the table disagree.
    if (written !== latest.length) throw new Error(`commission upsert wrote ${written} rows, the ledger planned ${latest.length}`);
    await manager.query(
      // A reference to the event of record, not a second copy of it: Kafka keeps the observation forever.
      `INSERT INTO ${this.schema}.commission_version (source, commission_id, modified_date, observation_id, aui, unit, user_amount, state,
              source_status, channel, event_partition, event_offset)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[],
              $9::text[], $10::text[], $11::integer[], $12::bigint[])
       ON CONFLICT DO NOTHING`,
      columns(plan.appliedObservations, [
        (o) => o.source, (o) => o.commissionId, (o) => o.modifiedDate, (o) => o.observationId, (o) => o.aui, (o) => o.unit,
        (o) => o.userAmount, (o) => o.state, (o) => o.sourceStatus, (o) => o.channel,
        (o) => references.get(o)?.partition ?? null, (o) => references.get(o)?.offset ?? null,
      ]),
    );
  }

  private async writePayouts(manager: EntityManager, payouts: LedgerPayout[]): Promise<void> {
    if (payouts.length === 0) return;
    const sorted = [...payouts].sort((left, right) => compareText(left.payoutId, right.payoutId));
    await manager.query(
      `INSERT INTO ${this.schema}.payout AS p (payout_id, aui, unit, amount, method, state, requested_at, executed_at, ended_at, end_reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[])
       ON CONFLICT (payout_id) DO UPDATE SET state = EXCLUDED.state, requested_at = EXCLUDED.requested_at, executed_at = EXCLUDED.executed_at,
         ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason, updated_at = now()`,
      columns(sorted, [
        (p) => p.payoutId, (p) => p.aui, (p) => p.unit, (p) => toDecimalString(p.amount), (p) => p.method, (p) => p.state,
        (p) => p.requestedAt, (p) => p.executedAt, (p) => p.endedAt, (p) => p.endReason,
      ]),
    );
  }

  /** Adds the planned deltas, bumps each AUI's sequence, and writes one BalanceChanged per (AUI, unit) to the outbox. */
  private async writeBalancesAndOutbox(manager: EntityManager, plan: BatchPlan): Promise<number> {
    // One lock order for every transaction (partitions are applied concurrently): no deadlocks.
    const deltas = [...plan.balanceDeltas].sort((left, right) => compareText(left.aui, right.aui) || compareText(left.unit, right.unit));
    if (deltas.length === 0) return 0;
    const balances: BalanceRow[] = await manager.query(
      `INSERT INTO ${this.schema}.balance AS b (aui, unit, lifetime, pending, payable, paid_by_network, paid_out, reserved, pending_reversals)
       SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[])
       -- trim_scale keeps one text form per value: numeric addition keeps its operands' scale (3.1902 + -0.6162 = 2.5740).
       ON CONFLICT (aui, unit) DO UPDATE SET
         lifetime = trim_scale(b.lifetime + EXCLUDED.lifetime), pending = trim_scale(b.pending + EXCLUDED.pending),
         payable = trim_scale(b.payable + EXCLUDED.payable), paid_by_network = trim_scale(b.paid_by_network + EXCLUDED.paid_by_network),
         paid_out = trim_scale(b.paid_out + EXCLUDED.paid_out), reserved = trim_scale(b.reserved + EXCLUDED.reserved),
         pending_reversals = trim_scale(b.pending_reversals + EXCLUDED.pending_reversals), updated_at = now()
       RETURNING aui, unit, lifetime::text, pending::text, available::text, paid_out::text, paid_by_network::text, reserved::text,
         pending_reversals::text, updated_at`,
      columns(deltas, [
        (d) => d.aui, (d) => d.unit, (d) => toDecimalString(d.delta.lifetime), (d) => toDecimalString(d.delta.pending),
        (d) => toDecimalString(d.delta.payable), (d) => toDecimalString(d.delta.paidByNetwork), (d) => toDecimalString(d.delta.paidOut),
        (d) => toDecimalString(d.delta.reserved), (d) => toDecimalString(d.delta.pendingReversals),
      ]),
    );
    if (balances.length !== deltas.length) throw new Error(`balance upsert wrote ${balances.length} rows, the ledger planned ${deltas.length}`);
    if (!this.options.announceBalanceChanges) return balances.length;
    const changesPerAui = new Map<string, number>();
    for (const delta of deltas) changesPerAui.set(delta.aui, (changesPerAui.get(delta.aui) ?? 0) + 1);
    const sequences: { aui: string; balance_sequence: string }[] = await manager.query(
      `INSERT INTO ${this.schema}.account AS a (aui, balance_sequence) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (aui) DO UPDATE SET balance_sequence = a.balance_sequence + EXCLUDED.balance_sequence, updated_at = now()
       RETURNING aui, balance_sequence`,
      [[...changesPerAui.keys()], [...changesPerAui.values()]],
    );
    const nextSequence = new Map(sequences.map((row) => [row.aui, BigInt(row.balance_sequence) - BigInt(changesPerAui.get(row.aui) ?? 0) + 1n]));
    const causedBy = new Map(deltas.map((delta) => [`${delta.aui}\u0000${delta.unit}`, delta.causedBy]));
    const messages = balances.map((row) => {
      const sequence = nextSequence.get(row.aui) ?? 1n;
      nextSequence.set(row.aui, sequence + 1n);
      return balanceChanged(row, sequence, causedBy.get(`${row.aui}\u0000${row.unit}`) ?? []);
    });
    messages.forEach(assertBalanceChanged);
    await manager.query(
      `INSERT INTO ${this.schema}.outbox (topic, message_key, payload, headers) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])`,
      columns(messages, [
        () => Topics.balanceChanged, (m) => m.aui, (m) => JSON.stringify(m),
        (m) => JSON.stringify(cloudEventHeaders({ id: `${m.aui}:${m.sequence}`, type: 'BalanceChanged', source: '/ledger-projector', time: m.changedAt })),
      ]),
    );
    return messages.length;
  }
}

interface CommissionRow {
  source: string;
  commission_id: string;
  aui: string;
  unit: string;
  user_amount: string;
  state: CommissionVersion['state'];
  paid_by_network: boolean;
  modified_date: string;
  observation_id: string;
}

interface BalanceRow {
  aui: string;
  unit: string;
  lifetime: string;
  pending: string;
  available: string;
  paid_out: string;
  paid_by_network: string;
  reserved: string;
  pending_reversals: string;
  updated_at: string;
}

interface PayoutRecordRow {
  payout_id: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
  state: LedgerPayout['state'];
  requested_at: string | null;
  executed_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

function payoutFromRow(row: PayoutRecordRow): LedgerPayout {
  const timestamp = (value: string | null) => (value === null ? null : canonicalTimestamp(value));
  return {
    payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: new Decimal(row.amount), method: row.method, state: row.state,
    requestedAt: timestamp(row.requested_at), executedAt: timestamp(row.executed_at), endedAt: timestamp(row.ended_at), endReason: row.end_reason,
  };
}

function versionFromRow(row: CommissionRow): CommissionVersion {
  return {
    source: row.source,
    commissionId: row.commission_id,
    aui: row.aui,
    unit: row.unit,
    userAmount: new Decimal(row.user_amount),
    state: row.state,
    paidByNetwork: row.paid_by_network,
    modifiedDate: canonicalTimestamp(row.modified_date),
    observationId: row.observation_id,
  };
}

function balanceChanged(row: BalanceRow, sequence: bigint, causedBy: string[]): BalanceChanged {
  return {
    type: 'BalanceChanged',
    schemaVersion: 1,
    aui: row.aui,
    unit: row.unit,
    sequence: sequence.toString(),
    lifetime: row.lifetime,
    pending: row.pending,
    available: row.available,
    paidOut: row.paid_out,
    paidByNetwork: row.paid_by_network,
    reserved: row.reserved,
    pendingReversals: row.pending_reversals,
    causedBy,
    changedAt: canonicalTimestamp(row.updated_at),
  };
}

interface EventReference {
  partition: number;
  offset: string;
}

/** Where each observation of the chunk stands in its topic. */
function eventReferences(partition: number, events: readonly OffsetEvent[]): Map<CommissionObserved, EventReference> {
  // By the event itself, not its observation id: a resent duplicate carries the same id at a later offset, and the version points at the one that applied.
  const references = new Map<CommissionObserved, EventReference>();
  for (const item of events) if (item.event.type === 'CommissionObserved') references.set(item.event, { partition, offset: item.offset });
  return references;
}

/** Turns rows into one array literal per column, the shape `unnest($1::type[], ...)` takes. */
function columns<T>(rows: readonly T[], pickers: ((row: T) => ArrayElement)[]): string[] {
  return pickers.map((pick) => arrayLiteral(rows.map(pick)));
}

const compareText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);

function isObservation(event: LedgerEvent): event is CommissionObserved {
  return event.type === 'CommissionObserved';
}

function isPayoutEvent(event: LedgerEvent): event is PayoutEvent {
  return event.type !== 'CommissionObserved';
}
