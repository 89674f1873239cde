import { Client, createClient } from 'graphql-ws';

/** Why a request failed, in the terms the page explains to the user. */
export type FailureKind = 'session-expired' | 'forbidden' | 'unavailable' | 'bad-request';

export class QueryFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'QueryFailure';
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const requestTimeoutMs = 15_000;

function failureOfCode(code: string | undefined, status: number): FailureKind {
  if (code === 'UNAUTHENTICATED' || status === 401) return 'session-expired';
  if (code === 'FORBIDDEN' || status === 403) return 'forbidden';
  if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') return 'bad-request';
  return 'unavailable';
}

/**
 * The page's GraphQL client: queries over fetch (so an expired token is a plain 401), the live
 * feed over graphql-ws. The token is the end user's short-lived JWT, never a partner API key.
 */
export class QueryClient {
  private live: Client | null = null;

  constructor(private readonly endpoint: string, private readonly token: string) {}

  async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch {
      throw new QueryFailure('unavailable', 'the earnings service did not answer');
    }
    const body = (await response.json().catch(() => ({}))) as GraphQLBody<T>;
    const firstError = body.errors?.[0];
    if (firstError || !response.ok || !body.data) {
      throw new QueryFailure(failureOfCode(firstError?.extensions?.code, response.status), firstError?.message ?? `HTTP ${response.status}`);
    }
    return body.data;
  }

  /** Calls onData with each pushed result; onFailure once the feed gives up (the server closed it, such as at token expiry). */
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onFailure: (failure: QueryFailure) => void, onConnected: () => void): () => void {
    this.live ??= createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 5,
      lazy: true,
    });
    const stopListening = this.live.on('connected', onConnected);
    const unsubscribe = this.live.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          const code = result.errors?.[0]?.extensions?.code;
          if (result.errors?.length) onFailure(new QueryFailure(failureOfCode(typeof code === 'string' ? code : undefined, 200), result.errors[0].message));
          else if (result.data) onData(result.data);
        },
        error: () => onFailure(new QueryFailure('unavailable', 'the live feed closed')),
        complete: () => undefined,
      },
    );
    return () => {
      stopListening();
      unsubscribe();
    };
  }

  close(): void {
    void this.live?.dispose();
    this.live = null;
  }
}

/** The GraphQL endpoint on the page's own origin: the dashboard's server forwards it to the query service. */
export const sameOriginEndpoint = (): string => new URL('/graphql', window.location.href).toString();
