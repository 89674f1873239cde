import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { CommissionObserved, Topics } from '@earnings/contracts';
import { createKafka, groupCatchUp, KafkaClient, kafkaReadinessCheck, OutboxRelay, produceDurationObserver } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { ApplyingHealth, applyingReadinessCheck, Metrics, Readiness, Recurring, ServiceShellModule } from '@earnings/service-shell';
import { FirstPromoterApprovalMode, parseFirstPromoterApprovalMode, parseFractionDigits, parseReviewPolicy, parseThresholds, PayoutPolicy } from '@earnings/domain';
import { CronJob } from 'cron';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ADMIN_TOKEN, AdminTokenGuard } from './admin/admin-token.guard';
import { PayoutAdminController } from './admin/payout-admin.controller';
import { PayoutAdminService } from './admin/payout-admin.service';
import { PayoutHoldsAdminController } from './admin/payout-holds-admin.controller';
import { CommissionFlagRepository } from './holds/commission-flag.repository';
import { PayoutHoldsService } from './holds/payout-holds.service';
import { FIRSTPROMOTER_APPROVALS, FirstPromoterAdminController } from './admin/firstpromoter-admin.controller';
import { BalanceViewConsumer } from './balances/balance-view.consumer';
import { PayoutApiException, PayoutApiExceptionFilter } from './errors/payout-api.exception';
import { PayoutConfig } from './payout.config';
import { PayoutOutbox } from './payouts/payout-outbox';
import { PayoutPolicyRepository, publishedScheduleOf } from './policy/payout-policy.repository';
import { PayoutProcessor } from './payouts/payout-processor';
import { PayoutRunService } from './payouts/payout-run.service';
import { PayoutRepository } from './payouts/payout.repository';
import { leaseOwnerOfThisProcess } from './work/work-lease';
import { AccountCreditProvider } from './providers/account-credit.provider';
import { GiftCardProvider } from './providers/gift-card.provider';
import { PayoutMethod, PayoutProvider } from './providers/payout-provider';
import { PayPalProvider } from './providers/paypal.provider';
import { RewardWebhookProvider } from './providers/reward-webhook.provider';
import { actionCallsPerPassMax, FirstPromoterActionRunner } from './rewards/firstpromoter-action-runner';
import { FirstPromoterApprovalRepository } from './rewards/firstpromoter-approval.repository';
import { FirstPromoterApprovalService } from './rewards/firstpromoter-approval.service';
import { RewardCommissionConsumer } from './rewards/reward-commission.consumer';
import { RewardPayoutsService } from './rewards/reward-payouts.service';
import { RewardDeliveryService } from './rewards/reward-delivery.service';
import { RewardFulfilmentRepository } from './rewards/reward-fulfilment.repository';
import { rewardPolicyOf } from './rewards/reward-policy';
import { RewardRepository } from './rewards/reward.repository';
import { FirstPromoterApiClient } from '@earnings/sources';

const CONFIG = 'PAYOUT_CONFIG';
const LOGGER = 'LOGGER';
const CRON_JOB_NAME = 'payout-run';
/** A balance-changed partition failing longer than this makes the payout service not ready: runs would decide on a stale view. */
const balanceViewFailingMsMax = 30_000;

/** The run-time parts built from the config, shared by the module's lifecycle and the admin API. */
class PayoutRuntime {
  readonly policy: PayoutPolicy;
  readonly repository: PayoutRepository;
  readonly runs: PayoutRunService;
  readonly processor: PayoutProcessor;
  readonly processorLoop: Recurring;
  readonly admin: PayoutAdminService;
  readonly flags: CommissionFlagRepository;
  readonly holds: PayoutHoldsService;
  /** Null without FirstPromoter's API: nothing is marked or approved there. */
  readonly firstPromoterActions: FirstPromoterActionRunner | null;
  readonly fulfilments: RewardFulfilmentRepository;
  readonly rewards: RewardDeliveryService;
  readonly actionsLoop: Recurring | null;
  readonly approvals: FirstPromoterApprovalService | null;
  readonly approvalLoop: Recurring | null;
  /** The scheduled payout run: woken by its cron (PAYOUT_RUN_CRON), never two at once. */
  readonly scheduledRuns: Recurring;
  /** How far the reward consumer is from commission-observed's end: a run paying reward units checks it first. */
  readonly rewardInputs: ReturnType<typeof groupCatchUp>;

  constructor(config: PayoutConfig, dataSource: DataSource, kafka: KafkaClient, logger: Logger) {
    const policy = policyOf(config);
    this.policy = policy;
    const approvalMode = approvalModeOf(config);
    // Every process claims work in flight under its own name (leases): any number of them share it.
    const leaseOwner = leaseOwnerOfThisProcess();
    const timeoutMs = config.PAYOUT_PROVIDER_TIMEOUT_MS;
    const actionLease = { owner: leaseOwner, durationMs: actionCallsPerPassMax * timeoutMs + 10_000 };
    this.repository = new PayoutRepository(dataSource, leaseOwner);
    const rewardRepository = new RewardRepository(this.repository);
    this.fulfilments = new RewardFulfilmentRepository(dataSource, actionLease);
    this.rewardInputs = groupCatchUp(kafka, rewardConsumerGroupOf(config), Topics.commissionObserved);
    this.runs = new PayoutRunService(this.repository, rewardRepository, policy, {
      auiPrefix: config.PAYOUT_AUI_PREFIX, defaultMethod: config.PAYOUT_DEFAULT_METHOD === '' ? null : (config.PAYOUT_DEFAULT_METHOD as PayoutMethod),
      rewardFulfiller: config.PAYOUT_REWARD_FULFILLER as 'ledger_credit' | 'http_webhook', rewardInputsWaitMsMax: config.PAYOUT_RUN_INPUTS_WAIT_MS,
    }, logger, this.rewardInputs);
    const providers = new Map<string, PayoutProvider>([
      ['account_credit', new AccountCreditProvider()],
      // The partner's product reads the ledger: the ledger entry is the delivery.
      ['ledger_credit', new AccountCreditProvider()],
      ['http_webhook', new RewardWebhookProvider({ baseUrl: config.PAYOUT_REWARD_WEBHOOK_URL, timeoutMs, secret: config.PAYOUT_REWARD_WEBHOOK_SECRET })],
      ['paypal', new PayPalProvider({ baseUrl: config.PAYPAL_BASE_URL, timeoutMs, clientId: config.PAYPAL_CLIENT_ID, clientSecret: config.PAYPAL_CLIENT_SECRET })],
      ['gift_card', new GiftCardProvider({ baseUrl: config.GIFT_CARD_BASE_URL, timeoutMs, apiKey: config.GIFT_CARD_API_KEY, fundingSourceId: config.GIFT_CARD_FUNDING_SOURCE_ID })],
    ]);
    this.processor = new PayoutProcessor(this.repository, providers, policy, {
      batchMax: config.PAYOUT_WORK_BATCH_MAX, concurrencyMax: config.PAYOUT_PROVIDER_CONCURRENCY_MAX, providerTimeoutMs: timeoutMs,
      pollDelayMs: 1_000, pollIntervalMsMax: config.PAYOUT_IN_FLIGHT_POLL_INTERVAL_MS_MAX, retryDelayMsMax: 30_000,
      returnWatchMs: config.PAYOUT_RETURN_WATCH_DAYS * 24 * 3600 * 1000, returnPollIntervalMs: config.PAYOUT_RETURN_POLL_INTERVAL_MS,
    }, logger, this.fulfilments);
    this.processorLoop = new Recurring({ name: 'payout-processor', intervalMs: config.PAYOUT_WORK_INTERVAL_MS, logger }, async () => (await this.processor.processDue()) >= config.PAYOUT_WORK_BATCH_MAX);
    this.flags = new CommissionFlagRepository(dataSource);
    this.rewards = new RewardDeliveryService(dataSource, rewardRepository, rewardPolicyOf(config, policy), logger, this.flags);
    const client = config.FIRSTPROMOTER_API_BASE_URL === '' ? null : new FirstPromoterApiClient({
      baseUrl: config.FIRSTPROMOTER_API_BASE_URL, apiKey: config.FIRSTPROMOTER_API_KEY, accountId: config.FIRSTPROMOTER_ACCOUNT_ID,
      requestTimeoutMs: timeoutMs, batchPollIntervalMsInitial: 200,
    });
    const approvalRows = new FirstPromoterApprovalRepository(dataSource, actionLease);
    this.approvals = client === null ? null : new FirstPromoterApprovalService(client, approvalRows, approvalMode, logger.child({ component: 'firstpromoter-approval' }));
    this.firstPromoterActions = client === null ? null : new FirstPromoterActionRunner(client, logger);
    const runner = this.firstPromoterActions;
    const queues = [this.fulfilments.marking, this.fulfilments.unmarking, approvalRows.approving];
    this.actionsLoop = runner === null ? null : new Recurring({ name: 'firstpromoter-actions', intervalMs: 1_000, logger }, async () => {
      let handled = 0;
      for (const queue of queues) handled += await runner.pass(queue);
      return handled > 0;
    });
    const approvals = this.approvals;
    this.approvalLoop = approvals === null || approvalMode.kind !== 'after-days' ? null : new Recurring({ name: 'firstpromoter-approval-run', intervalMs: config.FIRSTPROMOTER_APPROVAL_INTERVAL_MINUTES * 60_000, logger }, async () => {
      await approvals.queueDue(new Date());
    });
    this.admin = new PayoutAdminService(
      this.repository, this.runs, () => this.processorLoop.wake(), this.fulfilments, new RewardPayoutsService(this.repository, this.fulfilments), config.PAYOUT_METHOD_CHANGE_HOLD_HOURS,
    );
    this.holds = new PayoutHoldsService(this.repository, this.flags, this.rewards, () => this.processorLoop.wake());
    this.scheduledRuns = new Recurring({ name: 'scheduled payout run', intervalMs: null, runAtStart: false, logger }, async () => void (await this.admin.runNow()));
  }
}

/** FIRSTPROMOTER_APPROVAL, checked at start-up: approving needs FirstPromoter's API. */
function approvalModeOf(config: PayoutConfig): FirstPromoterApprovalMode {
  const mode = parseFirstPromoterApprovalMode(config.FIRSTPROMOTER_APPROVAL);
  if (typeof mode === 'string') throw new Error(`FIRSTPROMOTER_APPROVAL: ${mode}`);
  if (mode.kind !== 'auto' && config.FIRSTPROMOTER_API_BASE_URL === '') {
    throw new Error(`FIRSTPROMOTER_APPROVAL=${config.FIRSTPROMOTER_APPROVAL} needs FIRSTPROMOTER_API_BASE_URL, FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID (this service calls the approve endpoint)`);
  }
  return mode;
}

/** The reward consumer's group on commission-observed. */
function rewardConsumerGroupOf(config: PayoutConfig): string {
  return config.PAYOUT_REWARD_CONSUMER_GROUP || `${config.PAYOUT_CONSUMER_GROUP}-rewards`;
}

export function policyOf(config: PayoutConfig): PayoutPolicy {
  const thresholds = parseThresholds(config.PAYOUT_THRESHOLDS);
  const fractionDigitsByUnit = parseFractionDigits(config.PAYOUT_FRACTION_DIGITS);
  if (typeof thresholds === 'string') throw new Error(`PAYOUT_THRESHOLDS: ${thresholds}`);
  if (typeof fractionDigitsByUnit === 'string') throw new Error(`PAYOUT_FRACTION_DIGITS: ${fractionDigitsByUnit}`);
  const review = parseReviewPolicy(config.PAYOUT_REVIEW);
  if (typeof review === 'string') throw new Error(`PAYOUT_REVIEW: ${review}`);
  return { thresholds, fractionDigitsByUnit, review };
}

@Module({})
export class PayoutModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private balances: BalanceViewConsumer | null = null;
  private rewardConsumer: RewardCommissionConsumer | null = null;
  private relay: OutboxRelay | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: PayoutConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly kafka: KafkaClient,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    private readonly runtime: PayoutRuntime,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: Metrics,
  ) {}

  static register(config: PayoutConfig, logger: Logger): DynamicModule {
    const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-payout' });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-payout' }, logger);
    const runtime = new PayoutRuntime(config, dataSource, kafka, logger);
    return {
      module: PayoutModule,
      imports: [ServiceShellModule, ScheduleModule.forRoot()],
      controllers: [PayoutAdminController, PayoutHoldsAdminController, FirstPromoterAdminController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: ADMIN_TOKEN, useValue: config.PAYOUT_ADMIN_TOKEN },
        AdminTokenGuard,
        { provide: KafkaClient, useValue: kafka },
        { provide: DataSource, useValue: dataSource },
        { provide: PayoutRuntime, useValue: runtime },
        { provide: PayoutAdminService, useValue: runtime.admin },
        { provide: PayoutHoldsService, useValue: runtime.holds },
        { provide: FIRSTPROMOTER_APPROVALS, useValue: { service: runtime.approvals } },
        { provide: APP_FILTER, useClass: PayoutApiExceptionFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: (errors) => new PayoutApiException('invalid-request', errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ')),
          }),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    const skipped = this.metrics.counter('payout_run_skipped_total', 'Balances a payout run did not pay, by reason (no-method, unattributed, below-threshold, ...)', ['reason']);
    this.runtime.runs.onSkipped = (reason, count) => skipped.inc({ reason }, count);
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    this.relay = new OutboxRelay(this.kafka, new PayoutOutbox(this.runtime.repository), this.config.PAYOUT_OUTBOX_POLL_MS, this.logger, produceDurationObserver(this.metrics.registry, 'payout-outbox'));
    await this.relay.start();
    // Work a dead process held comes back when its leases expire; the other processes' work is theirs.
    this.runtime.processorLoop.start();
    this.runtime.actionsLoop?.start();
    this.runtime.approvalLoop?.start();
    // Last: joining the group can wait a session timeout for a crashed predecessor; payouts in flight go on meanwhile.
    const balancesHealth = new ApplyingHealth(balanceViewFailingMsMax);
    this.readiness.register(applyingReadinessCheck(balancesHealth));
    this.balances = new BalanceViewConsumer(this.kafka, this.dataSource, {
      groupId: this.config.PAYOUT_CONSUMER_GROUP, auiPrefix: this.config.PAYOUT_AUI_PREFIX, sessionTimeoutMs: this.config.PAYOUT_SESSION_TIMEOUT_MS,
    }, this.logger, balancesHealth);
    await this.balances.start();
    // Not awaited: joining a second group after a crash waits out the dead member's session, and
    // holding start-up for it delayed the payout service (the SIGKILL suite's runs then raced a stale view).
    // Readiness still waits for it to join.
    void this.startRewardConsumer().catch((error: unknown) => this.logger.error({ err: error }, 'the reward consumer failed to start'));
    await this.startScheduledRuns();
  }

  /**
   * Scheduled runs, and the policy published for readers (payout_policy_view): what the page
   * promises is what these runs pay. The next start is published again as each run starts.
   * The cron (PAYOUT_RUN_CRON, in the published time zone) is only the trigger: it wakes the run,
   * which is Recurring work like every other loop (never two at once, stop waits for it).
   */
  private async startScheduledRuns(): Promise<void> {
    const policies = new PayoutPolicyRepository(this.dataSource);
    // Written out, so the time zone the cron is read in is the one published with it.
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const scheduleAfter = (now: Date) => publishedScheduleOf(this.config.PAYOUT_RUN_CRON, timeZone, now);
    const job = CronJob.from({
      cronTime: this.config.PAYOUT_RUN_CRON,
      timeZone,
      onTick: () => {
        void policies.recordNextRun(scheduleAfter(new Date())).catch((error: unknown) => this.logger.error({ err: error }, 'could not publish the next payout run'));
        this.runtime.scheduledRuns.wake();
      },
      start: false,
    });
    await policies.publish(this.runtime.policy, scheduleAfter(new Date()));
    this.runtime.scheduledRuns.start();
    job.start();
    this.scheduler.addCronJob(CRON_JOB_NAME, job);
  }

  /** Rewards are delivered as their approvals arrive on commission-observed; the marker's refusals are counted. */
  private async startRewardConsumer(): Promise<void> {
    const delivered = this.metrics.counter('reward_deliveries_requested_total', 'Reward deliveries requested on approval, by unit and fulfiller', ['unit', 'fulfiller']);
    this.runtime.rewards.onDelivered = (unit, fulfiller) => {
      delivered.inc({ unit, fulfiller });
      this.runtime.processorLoop.wake();
    };
    const actionFailures = this.metrics.counter('firstpromoter_mark_failures_total', 'Commission ids FirstPromoter did not take in approve / mark_fulfilled / mark_unfulfilled, by action and error code', ['action', 'code']);
    if (this.runtime.firstPromoterActions !== null) this.runtime.firstPromoterActions.onFailure = (action, code, count) => actionFailures.inc({ action, code }, count);
    const approvalsSkipped = this.metrics.counter('firstpromoter_approvals_skipped_total', 'Pending FirstPromoter commissions a scheduled approval run left pending, by reason (too-recent, fraud-suspected)', ['reason']);
    if (this.runtime.approvals !== null) this.runtime.approvals.onSkipped = (reason, count) => approvalsSkipped.inc({ reason }, count);
    const flagged = this.metrics.counter('commissions_held_for_fraud_total', 'Commissions held out of spendable because a fraud check flagged them, by signal (fraud-check, self-referral)', ['signal']);
    const recordFlags = async (observations: CommissionObserved[]) => {
      for (const flag of await this.runtime.flags.record(observations)) flagged.inc({ signal: flag.isSelfReferral ? 'self-referral' : 'fraud-check' });
    };
    const health = new ApplyingHealth(balanceViewFailingMsMax);
    this.readiness.register(applyingReadinessCheck(health));
    this.rewardConsumer = new RewardCommissionConsumer(this.kafka, this.runtime.rewards, {
      groupId: rewardConsumerGroupOf(this.config), sessionTimeoutMs: this.config.PAYOUT_SESSION_TIMEOUT_MS,
    }, this.logger.child({ component: 'reward-consumer' }), health, recordFlags);
    await this.rewardConsumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('cron', CRON_JOB_NAME)) this.scheduler.deleteCronJob(CRON_JOB_NAME);
    await this.runtime.scheduledRuns.stop();
    await this.runtime.processorLoop.stop();
    await this.runtime.actionsLoop?.stop();
    await this.runtime.approvalLoop?.stop();
    await this.relay?.stop();
    await this.balances?.stop();
    await this.rewardConsumer?.stop();
    await this.runtime.rewardInputs.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
