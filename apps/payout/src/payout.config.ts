import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

/** Every setting of the payout service, read from the environment variable of the same name. */
export class PayoutConfig {
  @IsInt() @Min(1) @Max(65535)
  PAYOUT_PORT = 3003;

  @IsString() @IsNotEmpty()
  HOST = '127.0.0.1';

  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  @Matches(/^[A-Za-z0-9._-]+$/)
  PAYOUT_CONSUMER_GROUP = 'payout-balances';

  @IsIn(['trace', 'debug', 'info', 'warn', 'error'])
  LOG_LEVEL = 'info';
}
