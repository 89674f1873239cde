import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { createConsumer } from './consumer-factory';
import { ConsumerHealthReport, reportConsumerHealth } from './consumer-health';

export interface MessageConsumerOptions {
  groupId: string;
  topic: string;
  /** After a crash, the group waits this long for the dead member. */
  sessionTimeoutMs: number;
  fromBeginning: boolean;
}

/** Readiness of a consumer that applies batches: joined, and no partition failing for long (ApplyingHealth has this shape). */
export interface BatchHealthReport extends ConsumerHealthReport {
  partitionApplied(partition: string): void;
  partitionFailing(partition: string, reason: string, nowMs: number): void;
}

/** One batch of one partition, as `apply` receives it: enough to dead-letter a message as it came. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders }[];
}

/** The message values of a batch as text, in partition order. */
export function batchValues(batch: ConsumedBatch): string[] {
  return batch.messages.map((message) => message.value?.toString('utf8') ?? '');
}

export interface RunningMessageConsumer {
  stop(): Promise<void>;
}

/**
 * One consumer of one topic with its options written out, handing each batch (messages in
 * partition order) to `apply`. A batch that throws is retried by kafkajs from the same offset,
 * and its partition reported failing meanwhile; offsets are committed only after `apply` returns.
 */
export async function startMessageConsumer(
  kafka: Kafka,
  options: MessageConsumerOptions,
  apply: (batch: ConsumedBatch) => Promise<void>,
  health: BatchHealthReport,
): Promise<RunningMessageConsumer> {
  const consumer: Consumer = createConsumer(kafka, { groupId: options.groupId, sessionTimeoutMs: options.sessionTimeoutMs });
  reportConsumerHealth(consumer, health);
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      const partition = `${batch.topic}/${batch.partition}`;
      try {
        await apply({ topic: batch.topic, partition: batch.partition, messages: batch.messages });
        health.partitionApplied(partition);
      } catch (error) {
        health.partitionFailing(partition, (error as Error).message.split('\n')[0].slice(0, 300), Date.now());
        throw error;
      }
    },
  });
  return { stop: () => consumer.disconnect() };
}
