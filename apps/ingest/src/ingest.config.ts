import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

const brokerList = /^[^\s,]+:\d+(,[^\s,]+:\d+)*$/;
const decimalShare = /^(0(\.\d+)?|1(\.0+)?)$/;

/** Every setting of the ingest service, read from the environment variable of the same name. */
export class IngestConfig {
  @IsInt() @Min(1) @Max(65535)
  INGEST_PORT = 3001;

  @IsString() @IsNotEmpty()
  HOST = '127.0.0.1';

  @Matches(brokerList, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  /** Comma-separated; any key verifies a callback, so keys can be rotated without downtime. */
  @IsString() @IsNotEmpty({ message: 'must list at least one Wildfire callback key' })
  WILDFIRE_CALLBACK_KEYS = '';

  /** v2 callbacks carry no currency: amounts are in the application's default currency. */
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' })
  WILDFIRE_DEFAULT_CURRENCY = 'USD';

  /** The user's share of the application amount when the partner pays users itself (0..1). */
  @Matches(decimalShare, { message: 'must be a decimal between 0 and 1' })
  WILDFIRE_USER_SHARE = '1';

  /** Per-application overrides: "156:0.5,104:0.8". */
  @Matches(/^$|^\d+:(0(\.\d+)?|1(\.0+)?)(,\d+:(0(\.\d+)?|1(\.0+)?))*$/, { message: 'must look like "156:0.5,104:0.8"' })
  WILDFIRE_USER_SHARE_BY_APPLICATION = '';

  @IsInt() @Min(1024) @Max(16 * 1024 * 1024)
  CALLBACK_BODY_BYTES_MAX = 256 * 1024;

  /** How long a request waits for others to share its Kafka batch. */
  @IsInt() @Min(0) @Max(100)
  KAFKA_PRODUCER_LINGER_MS = 2;

  @IsIn(['trace', 'debug', 'info', 'warn', 'error'])
  LOG_LEVEL = 'info';
}
