import { ServiceConfig } from '@earnings/service-shell';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** Every setting of the ledger projector, read from the environment variable of the same name. */
export class ProjectorConfig extends ServiceConfig {
  @IsInt() @Min(1) @Max(65535)
  PROJECTOR_PORT = 3002;

  /** The consumer group whose offsets of record live in the projection's consumer_offset table. */
  @Matches(/^[A-Za-z0-9._-]+$/)
  PROJECTOR_CONSUMER_GROUP = 'ledger-projector';

  /** Events applied per PostgreSQL transaction at most; heartbeats go out between chunks. */
  @IsInt() @Min(1) @Max(20_000)
  PROJECTOR_CHUNK_EVENTS_MAX = 2_000;

  /** How long a fetch waits for data; kafkajs' default of 5 s would decide freshness at low load. */
  @IsInt() @Min(1) @Max(10_000)
  PROJECTOR_FETCH_WAIT_MS_MAX = 100;

  /** Bytes one fetch brings per partition at most (kafkajs maxBytesPerPartition): a chunk is cut from one fetch's batch. */
  @IsInt() @Min(65_536) @Max(64 * 1024 * 1024)
  PROJECTOR_FETCH_BYTES_PER_PARTITION = 1024 * 1024;

  /**
   * Partitions applied at once, each in its own transaction and pool connection. More than the
   * partitions this replica is assigned changes nothing; 1 applies them one after another.
   */
  @IsInt() @Min(1) @Max(8)
  PROJECTOR_PARTITIONS_CONCURRENTLY = 3;

  @IsInt() @Min(5) @Max(5_000)
  OUTBOX_POLL_INTERVAL_MS = 25;

  /**
   * How long the broker waits for a silent member before handing its partitions to others. A
   * crashed projector's partitions stay unassigned this long after a restart; the fault tests
   * lower it. The broker's group.min.session.timeout.ms (6 s by default) is the floor.
   */
  @IsInt() @Min(6_000) @Max(300_000)
  PROJECTOR_SESSION_TIMEOUT_MS = 30_000;

  /** How often the projector re-reads projection_pointer, so it follows a rebuild's switch. */
  @IsInt() @Min(100) @Max(60_000)
  PROJECTION_POINTER_POLL_MS = 2_000;

  /**
   * Readiness: not ready while more messages than this are not yet applied (all partitions
   * together; the topics' end offsets against the offsets the projection stored). 10,000 is about
   * a second of applying. A projector replaying a long history is not ready until it caught up.
   */
  @IsInt() @Min(0) @Max(100_000_000)
  PROJECTOR_READY_LAG_EVENTS_MAX = 10_000;

  /** Readiness: not ready once a partition's chunk has kept failing (and being retried) for longer than this. */
  @IsInt() @Min(1_000) @Max(3_600_000)
  PROJECTOR_READY_FAILING_MS_MAX = 30_000;

}
