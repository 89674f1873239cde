import { Histogram, Registry } from 'prom-client';

/** Told how long one produce request took, from sending to the broker's answer (acks=all), and how it ended. */
export type ProduceDurationObserver = (seconds: number, outcome: 'acknowledged' | 'failed') => void;

/** The Kafka produce latency histogram: what a caller waiting for acks=all waits for, per producer. */
export const kafkaProduceDuration = {
  name: 'kafka_produce_duration_seconds',
  help: 'Time from sending a produce request to the acknowledgement of every in-sync replica (acks=all), by producer and outcome',
  labelNames: ['producer', 'outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;

/** An observer recording into the registry's histogram under `producer` (ingest, ledger-outbox, payout-outbox). */
export function produceDurationObserver(registry: Registry, producer: string): ProduceDurationObserver {
  const existing = registry.getSingleMetric(kafkaProduceDuration.name) as Histogram<string> | undefined;
  const histogram = existing ?? new Histogram({ ...kafkaProduceDuration, labelNames: [...kafkaProduceDuration.labelNames], buckets: [...kafkaProduceDuration.buckets], registers: [registry] });
  return (seconds, outcome) => histogram.observe({ producer, outcome }, seconds);
}

/** Runs `send`, telling `observe` (when given) how long it took and whether it was acknowledged. */
export async function timedProduce<T>(observe: ProduceDurationObserver | undefined, send: () => Promise<T>): Promise<T> {
  if (observe === undefined) return send();
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await send();
    observe(seconds(), 'acknowledged');
    return result;
  } catch (error) {
    observe(seconds(), 'failed');
    throw error;
  }
}
