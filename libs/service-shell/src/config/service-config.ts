import { IsIn, IsNotEmpty, IsString, Matches } from 'class-validator';

/** Settings every service shares; each app's config class extends this and adds its own. */
export class ServiceConfig {
  /** 127.0.0.1 for local runs; the container images set 0.0.0.0. */
  @IsString() @IsNotEmpty()
  HOST = '127.0.0.1';

  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  @IsIn(['trace', 'debug', 'info', 'warn', 'error'])
  LOG_LEVEL = 'info';
}
