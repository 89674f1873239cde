import type { Consumer } from 'kafkajs';

/** What a consumer reports about itself for readiness (ApplyingHealth in libs/service-shell has this shape). */
export interface ConsumerHealthReport {
  consumerRunning(): void;
  consumerStopped(reason: string): void;
}

/**
 * Wires a consumer's life to its readiness: joined its group means applying; a crash or a stop
 * means not. kafkajs restarts a crashed consumer by itself (restart: true); until it rejoins, it
 * is not applying.
 */
export function reportConsumerHealth(consumer: Consumer, health: ConsumerHealthReport): void {
  consumer.on(consumer.events.GROUP_JOIN, () => health.consumerRunning());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const reason = payload.error.message.split('\n')[0].slice(0, 500);
    health.consumerStopped(`the consumer crashed (${reason})${payload.restart ? '; kafkajs is restarting it' : ' and will not restart'}`);
  });
  consumer.on(consumer.events.STOP, () => health.consumerStopped('the consumer stopped'));
}
