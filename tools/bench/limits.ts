/**
 * Every size and duration of the benchmark in one place. `--quick` only checks that each step
 * runs end to end; its figures mean little. The full run's sizes are the ones issue 8 names.
 */
export interface BenchSizes {
  /** Events pre-produced for the first projector measurement. */
  projectorEventsSmall: number;
  /** Events in the topic for the second projector measurement and the rebuild; 0 skips both. */
  projectorEventsLarge: number;
  /** How long each throughput or latency load runs. */
  loadDurationMs: number;
  /** A load run first against each fresh process and not measured: JIT, connections, Kafka metadata. */
  warmUpMs: number;
  /** Connections of the closed-loop (as fast as it answers) HTTP loads. */
  loadConnections: number;
  /** The sustained rate at which ingest latency is measured, callbacks per second. */
  ingestSustainedRatePerSecond: number;
  /** The callback rate of the freshness measurement. */
  freshnessRatePerSecond: number;
  freshnessDurationMs: number;
  /** Callbacks traced end to end per second during the freshness load (part of the rate above). */
  freshnessSamplesPerSecond: number;
  /** Pre-signed callback bodies per ingest load; a load that outruns them starts over (duplicates still get 200). */
  callbackBodiesMax: number;
}

export const loadDurationMsQuick = 2_000;
export const loadDurationMsFull = 10_000;
export const warmUpMsQuick = 1_000;
export const warmUpMsFull = 3_000;

export const quickSizes: BenchSizes = {
  projectorEventsSmall: 2_000,
  projectorEventsLarge: 0,
  loadDurationMs: loadDurationMsQuick,
  warmUpMs: warmUpMsQuick,
  loadConnections: 16,
  ingestSustainedRatePerSecond: 200,
  freshnessRatePerSecond: 200,
  freshnessDurationMs: loadDurationMsQuick,
  freshnessSamplesPerSecond: 10,
  callbackBodiesMax: 20_000,
};

export const fullSizes: BenchSizes = {
  projectorEventsSmall: 100_000,
  projectorEventsLarge: 1_000_000,
  loadDurationMs: loadDurationMsFull,
  warmUpMs: warmUpMsFull,
  loadConnections: 64,
  ingestSustainedRatePerSecond: 1_000,
  freshnessRatePerSecond: 1_000,
  freshnessDurationMs: loadDurationMsFull,
  freshnessSamplesPerSecond: 20,
  callbackBodiesMax: 150_000,
};

/** Kafka partitions of the benchmark's topics (npm test uses 3 on the same kind of machine). */
export const topicPartitions = 3;
/** Distinct AUIs per this many pre-produced events: each user has a few commissions. */
export const eventsPerAui = 5;
/** Every n-th pre-produced event is a newer version of an earlier commission (a status change). */
export const updateEveryNthEvent = 5;
/** Rows per transaction of the bare PostgreSQL upsert: the projector's PROJECTOR_CHUNK_EVENTS_MAX default. */
export const rawUpsertChunkRows = 2_000;
/** Connections of the concurrent bare PostgreSQL upsert: the projector's PROJECTOR_PARTITIONS_CONCURRENTLY default. */
export const projectorPartitionsConcurrently = 3;
/** Messages per kafkajs sendBatch when pre-producing events: about 500 KB a partition, under the topic's 1 MB message limit. */
export const produceBatchMessages = 1_500;
/** How often a projector's stored offsets are read while waiting for it to catch up. */
export const progressPollMs = 100;
/** How long one projector or read-only consumer may take to catch up before the step fails. */
export const catchUpTimeoutMs = 30 * 60_000;
/** How often the freshness poller asks GraphQL for the sampled AUIs still pending. */
export const freshnessPollMs = 10;
/** A sampled callback whose balance is not visible after this long counts as not fresh (reported). */
export const freshnessGiveUpMs = 30_000;
/** AUIs per GraphQL request of the freshness poller (aliased `earnings` fields, one SQL statement). */
export const freshnessAuisPerRequest = 50;
/** How often peak RSS (VmHWM) of each service process is read. */
export const memorySampleMs = 500;
/** Distinct AUIs the query load cycles through. */
export const queryAuisMax = 10_000;
