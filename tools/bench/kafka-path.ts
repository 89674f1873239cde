import { Topics } from '@earnings/contracts';
import { BatchingProducer, KafkaClient } from '@earnings/kafka';
import { nowMs } from './catch-up';
import { PreparedRequest } from './load';

export interface KafkaPathFigures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  messagesPerBatch: number;
}

const percentileOf = (sorted: number[], fraction: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;

/**
 * Ingest's Kafka path alone: the same BatchingProducer (idempotent, acks=all, linger 2 ms, 500
 * messages a batch) fed by `senders` concurrent loops, each awaiting two messages per
 * "callback" as ingest does (the raw copy and the observation), for `durationMs`. Both go to
 * the raw-inbound topic, which no benchmark consumer reads, so the ledger is not disturbed.
 */
export async function kafkaPathAlone(kafka: KafkaClient, bodies: PreparedRequest[], senders: number, durationMs: number): Promise<KafkaPathFigures> {
  const producer = new BatchingProducer(kafka, { lingerMs: 2, batchMessagesMax: 500, acknowledgementTimeoutMs: 10_000 });
  await producer.connect();
  const latencies: number[] = [];
  const endAtMs = nowMs() + durationMs;
  let next = 0;
  const sender = async () => {
    while (nowMs() < endAtMs) {
      const body = bodies[next++ % bodies.length].body;
      const started = nowMs();
      await producer.send([{ topic: Topics.rawInbound, messages: [{ key: `path-${next}`, value: body }, { key: `path-${next}`, value: body }] }]);
      latencies.push(nowMs() - started);
    }
  };
  const startedAtMs = nowMs();
  try {
    await Promise.all(Array.from({ length: senders }, sender));
  } finally {
    await producer.disconnect();
  }
  const sorted = latencies.sort((left, right) => left - right);
  const seconds = (nowMs() - startedAtMs) / 1000;
  return { perSecond: latencies.length / seconds, p50Ms: percentileOf(sorted, 0.5), p99Ms: percentileOf(sorted, 0.99), messagesPerBatch: (latencies.length * 2) / Math.max(producer.batchesSent, 1) };
}
