import type { ConsumerConfig, Kafka } from 'kafkajs';
import { createConsumer } from '../consumer-factory';

function capturedConfig(settings: Parameters<typeof createConsumer>[1]): ConsumerConfig {
  let config: ConsumerConfig | undefined;
  const kafka = { consumer: (given: ConsumerConfig) => ((config = given), {}) } as unknown as Kafka;
  createConsumer(kafka, settings);
  if (!config) throw new Error('createConsumer did not call kafka.consumer');
  return config;
}

describe('createConsumer', () => {
  it('writes every option out, with the defaults when none is given', () => {
    expect(capturedConfig({ groupId: 'group', sessionTimeoutMs: 30_000 })).toEqual({
      groupId: 'group',
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 100,
      rebalanceTimeout: 60_000,
      allowAutoTopicCreation: false,
    });
  });

  it('beats three times per session when the session is short', () => {
    expect(capturedConfig({ groupId: 'group', sessionTimeoutMs: 6_000 }).heartbeatInterval).toBe(2_000);
  });

  it('passes the options it is given', () => {
    const config = capturedConfig({ groupId: 'group', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxBytesPerPartition: 512, maxWaitTimeInMs: 250, rebalanceTimeoutMs: 20_000 });
    expect(config).toMatchObject({ heartbeatInterval: 1_000, maxBytesPerPartition: 512, maxWaitTimeInMs: 250, rebalanceTimeout: 20_000, allowAutoTopicCreation: false });
  });

  it('refuses a heartbeat that is not below the session timeout', () => {
    expect(() => capturedConfig({ groupId: 'group', sessionTimeoutMs: 3_000, heartbeatIntervalMs: 3_000 })).toThrow(/heartbeat/);
  });
});
