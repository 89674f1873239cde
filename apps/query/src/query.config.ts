import { ServiceConfig } from '@earnings/service-shell';
import { IsBoolean, IsInt, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

/** Every setting of the query service, read from the environment variable of the same name. */
export class QueryConfig extends ServiceConfig {
  @IsInt() @Min(1) @Max(65535)
  QUERY_PORT = 3004;

  /** The in-browser GraphQL IDE at /graphiql; off in production. */
  @IsBoolean()
  GRAPHIQL = false;

  /** Partner API keys to store (hashed) at start: `name:scope1+scope2:secret,...`. Secrets of 8+ characters. */
  @Matches(/^$|^[A-Za-z0-9_.-]+:[a-z]+:[a-z]+(\+[a-z]+:[a-z]+)*:[^\s,:]{8,}(,[A-Za-z0-9_.-]+:[a-z]+:[a-z]+(\+[a-z]+:[a-z]+)*:[^\s,:]{8,})*$/, {
    message: 'must be name:scope+scope:secret[,...] with scopes such as earnings:read and secrets of 8+ characters',
  })
  QUERY_API_KEYS = '';

  /** HS256 secret for end-user JWTs; empty disables HS256 tokens. */
  @ValidateIf((config: QueryConfig) => config.QUERY_JWT_SECRET !== '')
  @MinLength(32, { message: 'must be at least 32 characters (HS256 needs a 256-bit secret)' })
  QUERY_JWT_SECRET = '';

  /** JWKS endpoint for end-user JWTs signed with asymmetric keys (RS256, ES256, EdDSA); empty disables them. */
  @Matches(/^$|^https?:\/\//, { message: 'must be an http(s):// URL' })
  QUERY_JWKS_URL = '';

  /** Required `iss` of end-user JWTs; empty accepts any issuer. */
  @IsString()
  QUERY_JWT_ISSUER = '';

  /** Required `aud` of end-user JWTs; empty accepts any audience. */
  @IsString()
  QUERY_JWT_AUDIENCE = '';

  /** Largest `first` a connection accepts; more is a BAD_USER_INPUT error, not a silent cut. */
  @IsInt() @Min(1) @Max(1000)
  QUERY_PAGE_SIZE_MAX = 100;

  /** Deepest selection accepted (graphql-armor max-depth). */
  @IsInt() @Min(2) @Max(50)
  QUERY_DEPTH_MAX = 6;

  /** Highest cost accepted (graphql-armor cost-limit: objects 2, scalars 1, times a depth factor). */
  @IsInt() @Min(10) @Max(1_000_000)
  QUERY_COST_MAX = 5000;

  /** Schema introspection; off by default in production so the API is not self-describing to strangers. */
  @IsBoolean()
  QUERY_INTROSPECTION = process.env.NODE_ENV !== 'production';

  /** GraphQL requests per minute per credential (API key name or user), as a token bucket of this size. */
  @IsInt() @Min(1) @Max(1_000_000)
  QUERY_RATE_LIMIT_PER_MINUTE = 600;
}
