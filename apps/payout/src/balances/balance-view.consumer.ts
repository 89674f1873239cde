import { BalanceChanged, parseBalanceChanged, Topics } from '@earnings/contracts';
import { KafkaClient, runConsumer, RunningConsumer } from '@earnings/kafka';
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
  private running: RunningConsumer | null = null;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly dataSource: DataSource,
    private readonly options: { groupId: string; auiPrefix: string; sessionTimeoutMs: number },
    private readonly logger: Logger,
    private readonly health: ApplyingHealth,
  ) {
    this.auiPrefix = options.auiPrefix;
  }

  /** A batch that keeps failing (the database gone, say) makes the service not ready once it has failed long enough. */
  async start(): Promise<void> {
    this.running = await runConsumer(this.kafka, {
      groupId: this.options.groupId, topics: [Topics.balanceChanged], offsets: { kind: 'committed', fromBeginning: true },
      sessionTimeoutMs: this.options.sessionTimeoutMs, parse: (_topic, value) => parseBalanceChanged(value),
      deadLetters: { topic: Topics.balanceChangedDeadLetter, send: true }, health: this.health, logger: this.logger,
    }, (batch) => this.apply(batch.messages.map((message) => message.event)));
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }

  private async apply(changes: readonly BalanceChanged[]): Promise<void> {
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
