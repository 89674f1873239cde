import { BalanceChanged, parseBalanceChanged, Topics } from '@earnings/contracts';
import { ConsumedBatch, DeadLetter, DeadLetterSender, RunningMessageConsumer, startMessageConsumer } from '@earnings/kafka';
import { ApplyingHealth } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

/**
 * The payout service's own view of each user's available balance, fed by balance-changed.
 * Redelivered or out-of-date events are dropped by the per-AUI sequence, so Kafka's
 * at-least-once delivery is enough here.
 */
export class BalanceViewConsumer {
  private readonly auiPrefix: string;
  private readonly deadLetters: DeadLetterSender;
  private running: RunningMessageConsumer | null = null;

  constructor(
    private readonly kafka: Parameters<typeof startMessageConsumer>[0],
    private readonly dataSource: DataSource,
    private readonly options: { groupId: string; auiPrefix: string; sessionTimeoutMs: number },
    private readonly logger: Logger,
    private readonly health: ApplyingHealth,
  ) {
    this.auiPrefix = options.auiPrefix;
    this.deadLetters = new DeadLetterSender(kafka, Topics.balanceChangedDeadLetter);
  }

  /** A batch kafkajs keeps retrying (the database gone, say) makes the service not ready once it has failed long enough. */
  async start(): Promise<void> {
    await this.deadLetters.connect();
    this.running = await startMessageConsumer(
      this.kafka,
      { groupId: this.options.groupId, topic: Topics.balanceChanged, sessionTimeoutMs: this.options.sessionTimeoutMs, fromBeginning: true },
      (batch) => this.apply(batch),
      this.health,
    );
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    await this.deadLetters.disconnect();
  }

  private async apply(batch: ConsumedBatch): Promise<void> {
    const changes: BalanceChanged[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const parsed = parseBalanceChanged(message.value);
      if (parsed.ok) changes.push(parsed.value);
      else {
        const { key, value, offset, headers } = message;
        rejected.push({ topic: batch.topic, partition: batch.partition, offset, key, value, headers: { ...headers, dlq_consumer: this.options.groupId }, reason: parsed.reason });
      }
    }
    // Sent (acks=all) before the batch resolves: a crash in between sends a letter twice, never loses it.
    if (rejected.length > 0) {
      await this.deadLetters.send(rejected);
      this.logger.error({ offsets: rejected.map((letter) => letter.offset), topic: batch.topic, partition: batch.partition }, 'balance-changed messages that break the schema sent to the dead-letter topic');
    }
    // Latest per (AUI, unit) within the batch, so one upsert statement never touches a row twice.
    const latest = new Map<string, BalanceChanged>();
    for (const change of changes) {
      // Balances outside this deployment's slice of users are none of its business.
      if (!change.aui.startsWith(this.auiPrefix)) continue;
      const key = `${change.aui}\u0000${change.unit}`;
      const seen = latest.get(key);
      if (!seen || BigInt(seen.sequence) < BigInt(change.sequence)) latest.set(key, change);
    }
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    await this.dataSource.query(
      `INSERT INTO payout_balance AS p (aui, unit, available, paid_out, reserved, pending_reversals, balance_sequence)
       SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::bigint[])
       ON CONFLICT (aui, unit) DO UPDATE SET available = EXCLUDED.available, paid_out = EXCLUDED.paid_out, reserved = EXCLUDED.reserved,
         pending_reversals = EXCLUDED.pending_reversals, balance_sequence = EXCLUDED.balance_sequence, updated_at = now()
       WHERE p.balance_sequence < EXCLUDED.balance_sequence`,
      [
        rows.map((row) => row.aui), rows.map((row) => row.unit), rows.map((row) => row.available), rows.map((row) => row.paidOut),
        // Events of an earlier release carry no pending reversals: none were known then.
        rows.map((row) => row.reserved), rows.map((row) => row.pendingReversals ?? '0'), rows.map((row) => row.sequence),
      ],
    );
  }
}
