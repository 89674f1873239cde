/**
 * Every Kafka topic the product reads or writes, with the settings the admin step creates it with.
 * This is the one place a consumer (ours or a partner's) looks up a topic name.
 */
export const Topics = {
  /** Exact bytes and headers of every inbound callback/webhook (signatures and secrets removed). Event store. */
  rawInbound: 'earnings.raw-inbound.v1',
  /** Immutable observations of a commission version. Event store: the ledger is rebuilt from it. */
  commissionObserved: 'earnings.commission-observed.v1',
  /** Observations the projector could not accept (schema-invalid), with the reason. */
  commissionObservedDeadLetter: 'earnings.commission-observed.dlq.v1',
  /** A user's balance in one unit changed; the new figures. */
  balanceChanged: 'earnings.balance-changed.v1',
  /** Balance-changed messages a consumer (payout view, live feed) could not read (schema-invalid), with the reason and the consumer. */
  balanceChangedDeadLetter: 'earnings.balance-changed.dlq.v1',
  /** Money (or a reward) left for a user. Event store. */
  payoutExecuted: 'earnings.payout-executed.v1',
  /** A payout the provider refused; the ledger releases its hold. Event store. */
  payoutFailed: 'earnings.payout-failed.v1',
  /** A payout's other steps: PayoutRequested (held), PayoutSubmitted (at the provider), PayoutReturned (came back after success). Event store. */
  payoutLifecycle: 'earnings.payout-lifecycle.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export interface TopicSettings {
  name: TopicName;
  partitions: number;
  /** Kafka topic-level config entries, passed verbatim to the admin client. */
  config: Record<string, string>;
}

const keepForever = { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' };

/** Partition counts bound consumer parallelism; keys are AUIs, so one user's events stay in order. */
export function topicSettings(partitions: number): TopicSettings[] {
  return [
    // A Commission API page of 2000 records is over Kafka's default 1 MB message limit.
    { name: Topics.rawInbound, partitions, config: { ...keepForever, 'max.message.bytes': String(16 * 1024 * 1024) } },
    { name: Topics.commissionObserved, partitions, config: keepForever },
    { name: Topics.commissionObservedDeadLetter, partitions: 1, config: keepForever },
    // Balance events are a changelog of the read model: 30 days is enough to catch up; rebuild from the event store.
    { name: Topics.balanceChanged, partitions, config: { 'retention.ms': String(30 * 24 * 3600 * 1000), 'cleanup.policy': 'delete' } },
    { name: Topics.balanceChangedDeadLetter, partitions: 1, config: keepForever },
    { name: Topics.payoutExecuted, partitions, config: keepForever },
    { name: Topics.payoutFailed, partitions, config: keepForever },
    { name: Topics.payoutLifecycle, partitions, config: keepForever },
  ];
}
