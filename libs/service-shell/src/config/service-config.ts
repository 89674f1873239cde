import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

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

  /**
   * Longest time to receive a whole request, headers and body; a client still sending after it
   * gets 408 and is disconnected, so a body dripped a byte at a time cannot hold a connection.
   * Handlers' own time is not counted.
   */
  @IsInt() @Min(100) @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Longest time to receive the request line and headers; at most HTTP_REQUEST_TIMEOUT_MS. */
  @IsInt() @Min(100) @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** An idle keep-alive connection is closed after this; behind a load balancer, longer than its idle timeout (often 60 s). */
  @IsInt() @Min(1_000) @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

  /** Requests one keep-alive connection carries before it is closed, so load spreads when replicas are added. */
  @IsInt() @Min(1) @Max(1_000_000)
  HTTP_REQUESTS_PER_CONNECTION_MAX = 1_000;

  /** Largest request line plus headers; larger gets 431. */
  @IsInt() @Min(1_024) @Max(1_048_576)
  HTTP_HEADER_BYTES_MAX = 16_384;

  /**
   * Proxies trusted to say who the client is (X-Forwarded-For), for per-address limits: a
   * comma-separated list of addresses or CIDRs (or loopback, linklocal, uniquelocal), or a
   * number of hops. Empty: the connection's address is the client's.
   */
  @Matches(/^$|^\d{1,2}$|^[A-Za-z0-9.:/]+(,[A-Za-z0-9.:/]+)*$/, { message: 'must be empty, a hop count, or addresses/CIDRs separated by commas' })
  TRUSTED_PROXY = '';

  /**
   * Failed authentications (wrong admin token, API key or user token) per client address per
   * minute, as a burst of this size; past it the address gets 429 without its credentials being
   * checked. The client address honours TRUSTED_PROXY.
   */
  @IsInt() @Min(1) @Max(1_000_000)
  AUTH_FAILURES_PER_MINUTE_MAX = 30;

  /** How long a graceful shutdown may take before the process exits with code 1; below the orchestrator's grace period. */
  @IsInt() @Min(500) @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 25_000;

  /**
   * After SIGTERM, how long to keep serving, with readiness answering 503 and every response
   * saying `Connection: close`, before closing the listener: the time a load balancer takes to
   * stop sending requests here. 0 (the default) closes at once; on Kubernetes the pod's preStop
   * pause does this before SIGTERM, elsewhere (a VM or compose behind a load balancer) set it
   * here. Counted before SHUTDOWN_TIMEOUT_MS.
   */
  @IsInt() @Min(0) @Max(120_000)
  SHUTDOWN_DRAIN_MS = 0;
}
