import { Kafka, KafkaConfig, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaClient, kafkajsOf, wrapKafkajs } from './client-handle';
import { KafkaSecurity, kafkaSecurityFromEnvironment } from './kafka-security';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL; default: read (and checked) from the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* variables. */
  security?: KafkaSecurity;
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

/**
 * The one way a service or tool gets a Kafka client: kafkajs with its security settings (TLS,
 * SASL) from one place, its log lines routed into the service's JSON log and its options written
 * out. Bad security settings throw a ConfigError at start-up, naming every bad variable.
 */
export function createKafka(connection: KafkaConnection, logger: Logger): KafkaClient {
  const security = connection.security ?? kafkaSecurityFromEnvironment();
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  kafkaLogger.info({ clientId: connection.clientId, brokers: connection.brokers, security: security.description }, 'kafka client');
  if (security.warning) kafkaLogger.warn({ security: security.description }, security.warning);
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: connection.brokers,
    ssl: security.ssl,
    sasl: security.sasl,
    connectionTimeout: 3_000,
    // A TLS handshake and a SCRAM exchange take several round trips to a managed cluster across a network.
    authenticationTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      // Known, accepted and explained at createIdempotentProducer: not worth a warning at every start.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      kafkaLogger[serviceLogLevel(level, log)]({ namespace: extra.namespace, broker: extra.broker, error: extra.error }, message);
    },
  };
  const kafka = new Kafka(config);
  configOf.set(kafka, config);
  return wrapKafkajs(kafka, connection.clientId);
}

const configOf = new WeakMap<Kafka, KafkaConfig>();

/**
 * A client with the same settings as `kafka` that tries each request once, for readiness: the
 * service's own client retries a refused TLS handshake for about a minute, so a readiness check
 * through it only ever timed out, where this one answers with the reason at once. Its failures
 * are not logged: readiness reports them, and the service's own client logs its own.
 */
export function singleAttemptClientOf(client: KafkaClient): KafkaClient {
  const kafka = kafkajsOf(client);
  const config = configOf.get(kafka);
  return config ? wrapKafkajs(new Kafka({ ...config, retry: { retries: 0 }, logLevel: logLevel.NOTHING }), client.clientId) : client;
}

/**
 * The one producer configuration: idempotent (a broker-side retry never writes twice), acks=all
 * is set per send, the default murmur2 partitioner named explicitly (it matches the Java
 * client, so keys land where other Kafka tools expect). Retries stay bounded by the client's
 * retry settings: ingest must answer 503 within seconds when Kafka is down, not hang, so we
 * accept kafkajs' warning that bounded retries weaken its exactly-once guarantee; our
 * consumers are idempotent by observation and payout id.
 */
export function createIdempotentProducer(client: KafkaClient): Producer {
  return kafkajsOf(client).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}
