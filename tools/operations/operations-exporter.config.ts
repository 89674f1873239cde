import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { ServiceConfig } from '@earnings/service-shell';

/** The operations exporter: Kafka lag, dead letters, outboxes, unattributed money, payouts and syncs for Prometheus. */
export class OperationsExporterConfig extends ServiceConfig {
  @IsInt() @Min(1) @Max(65_535)
  OPERATIONS_METRICS_PORT = 3020;

  /** The same variable, and default, as the ledger projector's: the group whose lag is measured. */
  @IsString() @IsNotEmpty()
  PROJECTOR_CONSUMER_GROUP = 'ledger-projector';

  /** The same variable, and default, as the payout service's. */
  @IsString() @IsNotEmpty()
  PAYOUT_CONSUMER_GROUP = 'payout-balances';

  /** The same variable as the payout service's reward consumer (commission-observed); empty: PAYOUT_CONSUMER_GROUP with `-rewards` appended, as there. */
  @IsString()
  PAYOUT_REWARD_CONSUMER_GROUP = '';
}
