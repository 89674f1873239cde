import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createKafka, endOffsetReader, KafkaClient, kafkaReadinessCheck, OutboxRelay, produceDurationObserver } from '@earnings/kafka';
import { createDataSource, currentProjectionSchema, postgresReadinessCheck } from '@earnings/persistence';
import { ApplyingHealth, applyingReadinessCheck, lagReadinessCheck, Metrics, Readiness, Recurring, ServiceShellModule } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ProjectionOutbox } from './outbox/projection-outbox';
import { consumedTopics, LedgerProjectionConsumer } from './projection/ledger-projection.consumer';
import { LedgerStore } from './projection/ledger-store';
import { ProjectorConfig } from './projector.config';

const CONFIG = 'PROJECTOR_CONFIG';
const LOGGER = 'LOGGER';

/** The consumer and relay of one projection schema; replaced as a whole when readers switch schema. */
interface Projection {
  schema: string;
  consumer: LedgerProjectionConsumer;
  relay: OutboxRelay;
}

/**
 * After a rebuild switched projection_pointer, the projector follows it: it stops applying to
 * the old schema (the store refuses a chunk once the pointer moved, and a poll notices a switch
 * at idle), relays what the old outbox still holds, and starts over on the new schema from the
 * offsets the rebuild stored there under this projector's consumer group.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private projection: Projection | null = null;
  private retargeting: Promise<void> | null = null;
  private readonly pointerPoll: Recurring;
  private stopping = false;
  private readonly health: ApplyingHealth;
  /** From ingest receiving an observation to Kafka acknowledging the BalanceChanged it caused. */
  private readonly freshness;

  constructor(
    @Inject(CONFIG) private readonly config: ProjectorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly kafka: KafkaClient,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    private readonly metrics: Metrics,
  ) {
    this.health = new ApplyingHealth(config.PROJECTOR_READY_FAILING_MS_MAX);
    this.pointerPoll = new Recurring({ name: 'projection pointer poll', intervalMs: config.PROJECTION_POINTER_POLL_MS, runAtStart: false, logger }, async () => {
      this.followPointer();
      await this.retargeting;
    });
    this.freshness = metrics.histogram('earnings_balance_freshness_seconds', 'Seconds from ingest receiving an observation to its BalanceChanged acknowledged by Kafka', [], [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
  }

  static register(config: ProjectorConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [ServiceShellModule],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: KafkaClient, useValue: createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-ledger-projector' }, logger) },
        // TypeORM's own error log prints every parameter of a failed statement (a chunk's user ids and amounts,
        // kilobytes per line); the consumer logs the statement and the failing event's key instead.
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-ledger-projector' }).setOptions({ logging: ['migration'] }) },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    this.readiness.register(applyingReadinessCheck(this.health));
    this.readiness.register(lagReadinessCheck(endOffsetReader(this.kafka, consumedTopics), () => this.storedNextOffsets(), this.config.PROJECTOR_READY_LAG_EVENTS_MAX));
    this.projection = await this.startProjection(await currentProjectionSchema(this.dataSource));
    this.pointerPoll.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.pointerPoll.stop();
    await this.retargeting;
    await this.stopProjection();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async startProjection(schema: string): Promise<Projection> {
    const group = this.config.PROJECTOR_CONSUMER_GROUP;
    const store = new LedgerStore(this.dataSource, schema, group, { announceBalanceChanges: true, requirePointedTo: true });
    const consumer = new LedgerProjectionConsumer(this.kafka, store, {
      groupId: group,
      chunkEventsMax: this.config.PROJECTOR_CHUNK_EVENTS_MAX,
      fetchWaitMsMax: this.config.PROJECTOR_FETCH_WAIT_MS_MAX,
      fetchBytesPerPartition: this.config.PROJECTOR_FETCH_BYTES_PER_PARTITION,
      sessionTimeoutMs: this.config.PROJECTOR_SESSION_TIMEOUT_MS,
      partitionsConcurrently: this.config.PROJECTOR_PARTITIONS_CONCURRENTLY,
      deadLetterInvalid: true,
      health: this.health,
      onProjectionSwitched: () => this.followPointer(),
    }, this.logger, this.metrics);
    const relay = new OutboxRelay(this.kafka, new ProjectionOutbox(this.dataSource, schema, this.freshness), this.config.OUTBOX_POLL_INTERVAL_MS, this.logger, produceDurationObserver(this.metrics.registry, 'ledger-outbox'));
    await relay.start();
    await consumer.start();
    this.logger.info({ schema, group }, 'projecting the ledger');
    return { schema, consumer, relay };
  }

  private async storedNextOffsets(): Promise<Map<string, bigint>> {
    if (!this.projection) throw new Error('no projection is running (starting, or following a switched pointer)');
    return this.projection.consumer.storedNextOffsets();
  }

  private async stopProjection(): Promise<void> {
    const projection = this.projection;
    this.projection = null;
    await projection?.consumer.stop();
    await projection?.relay.stop();
  }

  /**
   * Starts a re-target when the pointer names another schema; one at a time. A failure (PostgreSQL
   * restarting, say) is an outage like any other: the next poll tries again. Meanwhile nothing is
   * written to a schema readers left, as every chunk checks the pointer in its own transaction,
   * and readiness names the projection that is not running.
   */
  private followPointer(): void {
    if (this.retargeting || this.stopping) return;
    this.retargeting = this.retargetIfSwitched()
      .catch((error: Error) => this.logger.error({ err: error }, 'could not follow the projection pointer; trying again at the next poll'))
      .finally(() => {
        this.retargeting = null;
      });
  }

  /** Stops the projection of a schema readers left, and starts (again, after a failed attempt) the one they point at. */
  private async retargetIfSwitched(): Promise<void> {
    const pointedTo = await currentProjectionSchema(this.dataSource);
    const current = this.projection;
    if (current && pointedTo === current.schema) return;
    if (current) {
      this.logger.info({ from: current.schema, to: pointedTo }, 'projection pointer switched; re-targeting');
      await current.consumer.stop();
      // Balance changes the old schema applied before the switch are announced before any of the new one's.
      await current.relay.drain();
      await current.relay.stop();
      this.projection = null;
    }
    if (this.stopping) return;
    this.projection = await this.startProjection(pointedTo);
  }
}
