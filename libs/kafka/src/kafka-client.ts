import { Kafka, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Broker answers that kafkajs retries by itself, and that every start-up or leader change
 * produces while the group coordinator and partition leaders settle. kafkajs logs them at
 * error level; an operator paged at 3 a.m. should not have to learn that they are harmless.
 */
const transientBrokerErrors = new Set([
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
]);

/** The level a kafkajs log line gets in the service's log: its own, except transient broker answers, which are warnings. */
export function serviceLogLevel(level: logLevel, log: { message: string; error?: unknown }): 'error' | 'warn' | 'info' | 'debug' {
  if (level === logLevel.ERROR && typeof log.error === 'string' && transientBrokerErrors.has(log.error)) return 'warn';
  return levelNames[level] ?? 'info';
}

/** kafkajs, with its log lines routed into the service's JSON log and its options written out. */
export function createKafka(connection: KafkaConnection, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      // Known, accepted and explained at createIdempotentProducer: not worth a warning at every start.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      kafkaLogger[serviceLogLevel(level, log)]({ namespace: extra.namespace, broker: extra.broker, error: extra.error }, message);
    },
  });
}

/**
 * The one producer configuration: idempotent (a broker-side retry never writes twice), acks=all
 * is set per send, the default murmur2 partitioner named explicitly (it matches the Java
 * client, so keys land where other Kafka tools expect). Retries stay bounded by the client's
 * retry settings: ingest must answer 503 within seconds when Kafka is down, not hang, so we
 * accept kafkajs' warning that bounded retries weaken its exactly-once guarantee; our
 * consumers are idempotent by observation and payout id.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}
