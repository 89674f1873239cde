import type { Consumer, Kafka } from 'kafkajs';

export interface ConsumerSettings {
  groupId: string;
  /** After a crash, the group waits this long for the dead member. */
  sessionTimeoutMs: number;
  /** Default: a third of the session, at most 3 s. */
  heartbeatIntervalMs?: number;
  /** Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Default 100 ms. */
  maxWaitTimeInMs?: number;
  /** Default 60 s. */
  rebalanceTimeoutMs?: number;
}

const heartbeatIntervalMsMax = 3_000;
const maxBytesPerPartitionDefault = 1024 * 1024;
const maxWaitTimeInMsDefault = 100;
const rebalanceTimeoutMsDefault = 60_000;

/** A third of the session, as Kafka advises, so two missed heartbeats do not expel a live member. */
export function defaultHeartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(heartbeatIntervalMsMax, Math.floor(sessionTimeoutMs / 3));
}

/**
 * The one way a service creates a kafkajs consumer: every option that decides how the group
 * behaves after a crash, how much one fetch holds and whether a typo creates a topic is written
 * out here, so no consumer runs on defaults nobody read.
 */
export function createConsumer(kafka: Kafka, settings: ConsumerSettings): Consumer {
  const heartbeatIntervalMs = settings.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(settings.sessionTimeoutMs);
  if (!(heartbeatIntervalMs > 0 && heartbeatIntervalMs < settings.sessionTimeoutMs)) {
    throw new Error(`consumer ${settings.groupId}: heartbeat interval ${heartbeatIntervalMs} ms must be positive and below the session timeout ${settings.sessionTimeoutMs} ms`);
  }
  return kafka.consumer({
    groupId: settings.groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    maxBytesPerPartition: settings.maxBytesPerPartition ?? maxBytesPerPartitionDefault,
    maxWaitTimeInMs: settings.maxWaitTimeInMs ?? maxWaitTimeInMsDefault,
    rebalanceTimeout: settings.rebalanceTimeoutMs ?? rebalanceTimeoutMsDefault,
    allowAutoTopicCreation: false,
  });
}
