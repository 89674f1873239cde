import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

/** Every setting of the query service, read from the environment variable of the same name. */
export class QueryConfig {
  @IsInt() @Min(1) @Max(65535)
  QUERY_PORT = 3004;

  @IsString() @IsNotEmpty()
  HOST = '127.0.0.1';

  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  /** The in-browser GraphQL IDE at /graphiql; off in production. */
  @IsBoolean()
  GRAPHIQL = false;

  @IsIn(['trace', 'debug', 'info', 'warn', 'error'])
  LOG_LEVEL = 'info';
}
