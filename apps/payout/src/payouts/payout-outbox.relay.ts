import { cloudEventHeaders } from '@earnings/contracts';
import { createIdempotentProducer, sendOutboxBatch } from '@earnings/kafka';
import { Kafka, Producer } from 'kafkajs';
import { PayoutRepository } from './payout.repository';

/** Messages per relay pass: bounded, so one pass stays well under the broker's request limits. */
export const relayBatchMessagesMax = 500;

/**
 * Publishes the outbox (idempotent producer, key AUI) and then marks the rows published. A crash
 * between the two publishes them again: consumers apply a payout id once, so that is harmless.
 */
export class PayoutOutboxRelay {
  private readonly producer: Producer;

  constructor(kafka: Kafka, private readonly payouts: PayoutRepository) {
    this.producer = createIdempotentProducer(kafka);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  async relayOnce(): Promise<number> {
    const rows = await this.payouts.unpublished(relayBatchMessagesMax);
    if (rows.length === 0) return 0;
    await sendOutboxBatch(this.producer, rows.map((row) => ({ topic: row.topic, key: row.message_key, value: JSON.stringify(row.payload), headers: headersOf(row.payload) })));
    await this.payouts.markPublished(rows.map((row) => row.id));
    return rows.length;
  }
}

/** CloudEvents binary headers, as on every event of the product, so consumers can route without parsing. */
function headersOf(payload: unknown): Record<string, string> {
  const event = payload as { type: string; payoutId: string; executedAt?: string; failedAt?: string; requestedAt?: string; submittedAt?: string; returnedAt?: string };
  // One payout has several events: the step names each; PayoutExecuted keeps the payout id alone, as before.
  const id = event.type === 'PayoutExecuted' ? event.payoutId : `${event.payoutId}:${event.type}`;
  const time = event.executedAt ?? event.failedAt ?? event.requestedAt ?? event.submittedAt ?? event.returnedAt ?? new Date().toISOString();
  return cloudEventHeaders({ id, type: event.type, source: '/payout', time });
}
