import { checkBalanceChanged, cloudEventHeaders, CommissionObserved } from '@earnings/contracts';
import { LedgerEvent, PayoutEvent } from '@earnings/domain';
import { assertSchemaName, LEDGER_PROJECTION, rawConnection } from '@earnings/persistence';
import { BehindStoredOffsetError } from '@earnings/kafka';
import { DataSource } from 'typeorm';
import { BalanceStatements } from './balance-statements';
import { ObservationStatements } from './observation-statements';
import { PayoutStatements } from './payout-statements';
import { ReattributedPayable, reattributedPayableOf } from './reattribution-statements';
import { ChunkSql, connectionSql, ensureChunkTables } from './chunk-sql';

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
 * schema's after a rebuild switched readers to it; applying would silently skip messages. The
 * consumer runner seeks the partition back to the stored offset when it sees this.
 */
export class OffsetGapError extends BehindStoredOffsetError {
  constructor(topic: string, partition: number, nextOffset: bigint, readonly firstOffset: bigint) {
    super(topic, partition, nextOffset, `${topic}/${partition}: chunk starts at ${firstOffset}, the projection expects ${nextOffset}`);
  }
}

export interface ChunkOutcome {
  skippedAlreadyApplied: number;
  applied: number;
  duplicates: number;
  balancesChanged: number;
  /** Payable money moved between real users by the chunk, per unit: counted once the chunk commits. */
  reattributedPayable: ReattributedPayable[];
}

/**
 * The ledger projection's writes. A chunk is applied set-based in one transaction together with
 * the offset it advances: its observations are copied into a staging table and the ledger's rule
 * (PostgreSQL functions, one migration) decides in a few statements which versions apply and what
 * they move; so a crash or a redelivery can never count an event twice (a message below the
 * stored next offset was already applied and is skipped), and two chunks that touch the same
 * commission, in any partitions or processes, take its row lock in key order and never interleave.
 */
export class LedgerStore {
  readonly schema: string;
  private readonly observations: ObservationStatements;
  private readonly payouts: PayoutStatements;
  private readonly balances: BalanceStatements;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly consumerGroup: string,
    private readonly options: LedgerStoreOptions = { announceBalanceChanges: true, requirePointedTo: true },
  ) {
    this.schema = assertSchemaName(schema);
    this.observations = new ObservationStatements(this.schema);
    this.payouts = new PayoutStatements(this.schema);
    this.balances = new BalanceStatements(this.schema, balanceChangedHeaders);
  }

  async storedOffsets(topics: string[]): Promise<{ topic: string; partition: number; nextOffset: string }[]> {
    const rows: { topic: string; partition: number; next_offset: string }[] = await this.dataSource.query(
      `SELECT topic, partition, next_offset FROM ${this.schema}.consumer_offset WHERE consumer_group = $1 AND topic = ANY($2)`,
      [this.consumerGroup, topics],
    );
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, nextOffset: row.next_offset }));
  }

  async applyChunk(chunk: PartitionChunk): Promise<ChunkOutcome> {
    const { client, release } = await rawConnection(this.dataSource);
    const sql = connectionSql(client);
    let connectionBroken = false;
    try {
      await ensureChunkTables(sql);
      await sql.run('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        const outcome = await this.applyInTransaction(sql, chunk);
        await sql.run('COMMIT');
        return outcome;
      } catch (error) {
        await sql.run('ROLLBACK').catch(() => (connectionBroken = true));
        throw error;
      }
    } finally {
      release(connectionBroken);
    }
  }

  private async applyInTransaction(sql: ChunkSql, chunk: PartitionChunk): Promise<ChunkOutcome> {
    if (this.options.requirePointedTo) await this.assertStillPointedTo(sql);
    const nextOffset = await this.lockOffset(sql, chunk);
    if (BigInt(chunk.firstOffset) > nextOffset) throw new OffsetGapError(chunk.topic, chunk.partition, nextOffset, BigInt(chunk.firstOffset));
    const fresh = chunk.events.filter((item) => BigInt(item.offset) >= nextOffset);
    const observations = fresh.filter((item): item is { offset: string; event: CommissionObserved } => item.event.type === 'CommissionObserved');
    const payoutEvents = fresh.map((item) => item.event).filter((event): event is PayoutEvent => event.type !== 'CommissionObserved');
    const fromObservations = await this.observations.apply(sql, chunk.partition, observations);
    const reattributedPayable = observations.length === 0 ? [] : await reattributedPayableOf(sql);
    const fromPayouts = await this.payouts.apply(sql, payoutEvents);
    const balancesChanged = await this.announce(sql);
    if (BigInt(chunk.lastOffset) + 1n > nextOffset) {
      await sql.run(
        `UPDATE ${this.schema}.consumer_offset SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
        [this.consumerGroup, chunk.topic, chunk.partition, (BigInt(chunk.lastOffset) + 1n).toString()],
      );
    }
    return {
      skippedAlreadyApplied: chunk.events.length - fresh.length,
      applied: fromObservations.applied + fromPayouts.applied,
      duplicates: fromObservations.duplicates + fromPayouts.duplicates,
      balancesChanged,
      reattributedPayable,
    };
  }

  /** Adds the chunk's contributions to the balances; announces each changed balance once (live only), checked against its schema first. */
  private async announce(sql: ChunkSql): Promise<number> {
    await this.balances.add(sql);
    if (!this.options.announceBalanceChanges) return this.balances.countChanged(sql);
    const payloads = await this.balances.announce(sql);
    for (const payload of payloads) {
      // Built by SQL from the rule's figures: one that breaks its schema is a programmer error, and the chunk rolls back.
      const checked = checkBalanceChanged(JSON.parse(payload));
      if (!checked.ok) throw new Error(`a BalanceChanged the ledger built breaks its schema: ${checked.reason}`);
    }
    return payloads.length;
  }

  /**
   * FOR SHARE makes a switch (UPDATE projection_pointer) wait for the chunk in flight, and a
   * chunk that starts after the switch sees the new value: the old schema is frozen exactly at
   * the switch.
   */
  private async assertStillPointedTo(sql: ChunkSql): Promise<void> {
    const rows = await sql.rows<{ schema_name: string }>(`SELECT schema_name FROM projection_pointer WHERE name = $1 FOR SHARE`, [LEDGER_PROJECTION]);
    const pointedTo = rows[0]?.schema_name ?? '(none)';
    if (pointedTo !== this.schema) throw new ProjectionSwitchedError(this.schema, pointedTo);
  }

  /** The partition's stored next offset, its row locked until the chunk commits (created at 0 the first time). */
  private async lockOffset(sql: ChunkSql, chunk: PartitionChunk): Promise<bigint> {
    const rows = await sql.rows<{ next_offset: string }>(
      `INSERT INTO ${this.schema}.consumer_offset AS o (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = o.next_offset
       RETURNING next_offset`,
      [this.consumerGroup, chunk.topic, chunk.partition],
    );
    return BigInt(rows[0].next_offset);
  }
}

/** The CloudEvents headers of every BalanceChanged but its id and time, which SQL fills in per event. */
const balanceChangedHeaders = cloudEventHeaders({ id: '', type: 'BalanceChanged', source: '/ledger-projector', time: '' });
