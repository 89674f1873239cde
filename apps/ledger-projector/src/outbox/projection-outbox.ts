import { OutboxPort, OutboxRow, OutboxRows } from '@earnings/kafka';
import type { Histogram } from 'prom-client';
import { assertSchemaName } from '@earnings/persistence';
import { DataSource, EntityManager } from 'typeorm';

/** PostgreSQL's undefined_table. */
const undefinedTable = '42P01';

/**
 * A projection schema's outbox, for the relay in libs/kafka. One relay at a time holds the
 * advisory lock for the length of its pass, so two replicas never interleave an AUI's events.
 */
export class ProjectionOutbox implements OutboxPort {
  readonly name: string;
  private readonly schema: string;

  constructor(private readonly dataSource: DataSource, schema: string, private readonly freshness: Histogram<string>) {
    this.schema = assertSchemaName(schema);
    this.name = `${this.schema}.outbox`;
  }

  /** Seconds from ingest receiving the oldest observation behind each BalanceChanged to Kafka acknowledging it. */
  acknowledged(rows: readonly OutboxRow[]): void {
    const nowMs = Date.now();
    for (const row of rows) if (row.observedAtMs) this.freshness.observe((nowMs - row.observedAtMs) / 1000);
  }

  pass(relay: (rows: OutboxRows) => Promise<number>): Promise<number | 'busy'> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`outbox-relay:${this.schema}`]);
      if (!locked) return 'busy';
      return relay(this.rowsIn(manager));
    });
  }

  /** A rebuild with --drop-old drops the old schema only once its outbox is empty, so a dropped outbox has nothing left. */
  isOutboxGone(error: unknown): boolean {
    return (error as { driverError?: { code?: string } }).driverError?.code === undefinedTable;
  }

  private rowsIn(manager: EntityManager): OutboxRows {
    return {
      readUnpublished: async (limit) => {
        // The payload as PostgreSQL prints it: the same JSON (jsonb's key order), without a parse and a stringify per message.
        const rows: { id: string; topic: string; message_key: string; payload: string; headers: Record<string, string>; observed_at_ms: number | null }[] = await manager.query(
          `SELECT id, topic, message_key, payload::text AS payload, headers, (extract(epoch FROM observed_at) * 1000)::float8 AS observed_at_ms FROM ${this.schema}.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
          [limit],
        );
        return rows.map((row): OutboxRow => ({ id: row.id, topic: row.topic, key: row.message_key, value: row.payload, headers: row.headers, observedAtMs: row.observed_at_ms }));
      },
      markPublished: async (ids) => {
        await manager.query(`UPDATE ${this.schema}.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
      },
    };
  }
}
