import { BalanceChanged, parseBalanceChanged, Topics } from '@earnings/contracts';
import { DeadLetter, DeadLetterSender, reportConsumerHealth } from '@earnings/kafka';
import { ApplyingHealth } from '@earnings/service-shell';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

/**
 * The payout service's own view of each user's available balance, fed by balance-changed.
 * Redelivered or out-of-date events are dropped by the per-AUI sequence, so Kafka's
 * at-least-once delivery is enough here.
 */
export class BalanceViewConsumer {
  private readonly consumer: Consumer;
  private readonly auiPrefix: string;
  private readonly groupId: string;
  private readonly deadLetters: DeadLetterSender;

  constructor(
    kafka: Kafka,
    private readonly dataSource: DataSource,
    options: { groupId: string; auiPrefix: string; sessionTimeoutMs: number },
    private readonly logger: Logger,
    private readonly health: ApplyingHealth,
  ) {
    this.auiPrefix = options.auiPrefix;
    this.groupId = options.groupId;
    this.deadLetters = new DeadLetterSender(kafka, Topics.balanceChangedDeadLetter);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    reportConsumerHealth(this.consumer, this.health);
    await this.deadLetters.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [Topics.balanceChanged], fromBeginning: true });
    await this.consumer.run({ autoCommit: true, eachBatchAutoResolve: true, eachBatch: (payload) => this.applyReportingHealth(payload) });
  }

  /** A batch kafkajs keeps retrying (the database gone, say) makes the service not ready once it has failed long enough. */
  private async applyReportingHealth(payload: EachBatchPayload): Promise<void> {
    const partition = `${payload.batch.topic}/${payload.batch.partition}`;
    try {
      await this.apply(payload);
      this.health.partitionApplied(partition);
    } catch (error) {
      this.health.partitionFailing(partition, (error as Error).message.split('\n')[0].slice(0, 300), Date.now());
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.deadLetters.disconnect();
  }

  private async apply({ batch }: EachBatchPayload): Promise<void> {
    const changes: BalanceChanged[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const parsed = parseBalanceChanged(message.value);
      if (parsed.ok) changes.push(parsed.value);
      else {
        const { key, value, offset, headers } = message;
        rejected.push({ topic: batch.topic, partition: batch.partition, offset, key, value, headers: { ...headers, dlq_consumer: this.groupId }, reason: parsed.reason });
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
