import { createIdempotentProducer, sendOutboxBatch } from '@earnings/kafka';
import { assertSchemaName } from '@earnings/persistence';
import { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

const relayBatchMessagesMax = 500;
/** A drain stops after this many batches (2.5 million messages); more means something else keeps writing. */
const drainBatchesMax = 5_000;
/** PostgreSQL's undefined_table. */
const undefinedTable = '42P01';

/**
 * Publishes the projection's outbox to Kafka in id order with an idempotent producer, then marks
 * the rows published. At least once: a crash between send and mark re-sends rows, which
 * consumers drop by the per-AUI sequence. One relay at a time holds the advisory lock, so two
 * replicas never interleave an AUI's events.
 */
export class OutboxRelay {
  private readonly producer: Producer;
  private readonly schema: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(kafka: Kafka, private readonly dataSource: DataSource, schema: string, private readonly pollIntervalMs: number, private readonly logger: Logger) {
    this.schema = assertSchemaName(schema);
    this.producer = createIdempotentProducer(kafka);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.producer.disconnect();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.relayOnce()
        .then((sent) => this.schedule(sent === relayBatchMessagesMax ? 0 : this.pollIntervalMs))
        .catch((error: Error) => {
          this.logger.error({ err: error }, 'outbox relay failed; retrying');
          this.schedule(1_000);
        });
    }, delayMs);
  }

  /**
   * Relays until the outbox is empty: what a projector does with the old schema's outbox after
   * readers switched away from it, since no relay polls that schema afterwards.
   */
  async drain(): Promise<number> {
    try {
      return await this.drainUntilEmpty();
    } catch (error) {
      // A rebuild with --drop-old drops the old schema only once its outbox is empty, so a dropped outbox has nothing left.
      if ((error as { driverError?: { code?: string } }).driverError?.code === undefinedTable) return 0;
      throw error;
    }
  }

  private async drainUntilEmpty(): Promise<number> {
    let sent = 0;
    for (let round = 0; round < drainBatchesMax; round += 1) {
      // The polling loop may hold the advisory lock for a moment: wait for it rather than read 0.
      await this.running;
      const count = await this.relayOnce();
      sent += count;
      if (count === 0 && (await this.unpublishedCount()) === 0) return sent;
      if (count === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`outbox of ${this.schema} not drained after ${drainBatchesMax} batches`);
  }

  private async unpublishedCount(): Promise<number> {
    const [{ count }]: { count: string }[] = await this.dataSource.query(`SELECT count(*) AS count FROM ${this.schema}.outbox WHERE published_at IS NULL`);
    return Number(count);
  }

  /** Sends one batch; returns how many messages it sent. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`outbox-relay:${this.schema}`]);
      if (!locked) return 0;
      const rows: { id: string; topic: string; message_key: string; payload: unknown; headers: Record<string, string> }[] = await manager.query(
        `SELECT id, topic, message_key, payload, headers FROM ${this.schema}.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [relayBatchMessagesMax],
      );
      if (rows.length === 0) return 0;
      await sendOutboxBatch(this.producer, rows.map((row) => ({ topic: row.topic, key: row.message_key, value: JSON.stringify(row.payload), headers: row.headers })));
      await manager.query(`UPDATE ${this.schema}.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}
