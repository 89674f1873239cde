import type { Producer } from 'kafkajs';
import { KafkaClient } from './client-handle';
import { Recurring } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { createIdempotentProducer } from './kafka-client';
import { OutboxMessage, sendOutboxBatch } from './outbox';
import { ProduceDurationObserver, timedProduce } from './produce-duration';

/** Messages per relay pass: bounded, so one pass stays well under the broker's request limits. */
export const relayBatchMessagesMax = 500;
/** A drain stops after this many batches (2.5 million messages); more means something else keeps writing. */
const drainBatchesMax = 5_000;
/** After failed passes (Kafka or PostgreSQL down), the relay tries again by this backoff. */
const failedPassBackoff = { firstMs: 1_000, maxMs: 5_000 };
/** While another relay holds the outbox, a drain asks again this much later. */
const drainBusyDelayMs = 50;

/** One unpublished row of a service's outbox, ready to send. */
export interface OutboxRow extends OutboxMessage {
  id: string;
  /** When the oldest input behind this event was received (epoch ms), where the outbox knows it: freshness is measured from it. */
  observedAtMs?: number | null;
}

/** A service's outbox table, as one relay pass reads and marks it. */
export interface OutboxRows {
  /** Up to `limit` unpublished rows, in id order (the order consumers rely on). */
  readUnpublished(limit: number): Promise<OutboxRow[]>;
  markPublished(ids: readonly string[]): Promise<void>;
}

/** What a service supplies to the relay: its outbox's SQL. */
export interface OutboxPort {
  /** Names the outbox in logs and errors. */
  readonly name: string;
  /**
   * Runs one relay pass over the rows. An outbox that one relay at a time may publish runs it
   * in a transaction under its lock, and answers 'busy' without running it while another holds the lock.
   */
  pass(relay: (rows: OutboxRows) => Promise<number>): Promise<number | 'busy'>;
  /** True when `error` says the outbox no longer exists: a drain then has nothing left to send. */
  isOutboxGone?(error: unknown): boolean;
  /** Called once Kafka acknowledged the rows (before they are marked): where a service measures how fresh they were. */
  acknowledged?(rows: readonly OutboxRow[]): void;
}

/**
 * The one outbox relay: publishes a service's outbox to Kafka in id order with the idempotent
 * producer, then marks the rows published. At least once: a crash between send and mark
 * re-sends rows, which consumers drop (by per-AUI sequence, by payout id). A full batch is
 * followed by the next at once; otherwise the relay polls every `pollIntervalMs` (Recurring work).
 */
export class OutboxRelay {
  private readonly producer: Producer;
  private readonly polling: Recurring;

  constructor(
    kafka: KafkaClient,
    private readonly outbox: OutboxPort,
    pollIntervalMs: number,
    logger: Logger,
    /** Told the duration of every batch's produce request (the Kafka produce latency histogram). */
    private readonly observeProduceDuration?: ProduceDurationObserver,
  ) {
    this.producer = createIdempotentProducer(kafka);
    this.polling = new Recurring(
      { name: `outbox relay ${outbox.name}`, intervalMs: pollIntervalMs, afterFailure: failedPassBackoff, logger },
      async () => (await this.relayOnce()) === relayBatchMessagesMax,
    );
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.polling.start();
  }

  /** Stops polling, waits for the pass in flight to send and mark its rows, then disconnects. */
  async stop(): Promise<void> {
    await this.polling.stop();
    await this.producer.disconnect();
  }

  /**
   * Relays until the outbox is empty: what a projector does with the old schema's outbox after
   * readers switched away from it, since no relay polls that outbox afterwards.
   */
  async drain(): Promise<number> {
    try {
      return await this.drainUntilEmpty();
    } catch (error) {
      if (this.outbox.isOutboxGone?.(error)) return 0;
      throw error;
    }
  }

  private async drainUntilEmpty(): Promise<number> {
    let sent = 0;
    for (let round = 0; round < drainBatchesMax; round += 1) {
      // The polling loop may hold the outbox's lock for a moment: wait for it rather than read 'busy'.
      await this.polling.idle();
      const count = await this.relayOnce();
      if (count === 0) return sent;
      if (count === 'busy') await new Promise((resolve) => setTimeout(resolve, drainBusyDelayMs));
      else sent += count;
    }
    throw new Error(`outbox ${this.outbox.name} not drained after ${drainBatchesMax} batches`);
  }

  /** Sends one batch; returns how many messages it sent, or 'busy' when another relay holds the outbox. */
  async relayOnce(): Promise<number | 'busy'> {
    return this.outbox.pass(async (rows) => {
      const unpublished = await rows.readUnpublished(relayBatchMessagesMax);
      if (unpublished.length === 0) return 0;
      await timedProduce(this.observeProduceDuration, () => sendOutboxBatch(this.producer, unpublished.map(({ id: _id, observedAtMs: _observedAtMs, ...message }) => message)));
      this.outbox.acknowledged?.(unpublished);
      await rows.markPublished(unpublished.map((row) => row.id));
      return unpublished.length;
    });
  }
}
