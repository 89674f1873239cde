import { QueryError } from '../errors/query-error';

/** Position after a row in the order (event_date DESC NULLS LAST, source, commission_id). */
export interface TransactionCursor {
  eventDate: string | null;
  source: string;
  commissionId: string;
}

/** Position after a payout in the order (listed_at DESC, payout_id); listed_at is when it was requested (or executed, for older payouts). */
export interface PayoutCursor {
  listedAt: string;
  payoutId: string;
}

// Cursors hold canonical timestamps; anything else would reach SQL as an invalid timestamptz.
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Opaque to clients: base64url of the sort key, so its shape can change without an API change. */
export function encodeCursor(key: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeKey(cursor: string, length: number): (string | null)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((part) => part === null || typeof part === 'string')) return key as (string | null)[];
  } catch {
    // Falls through to the error below: any undecodable cursor is the caller's mistake.
  }
  throw new QueryError('BAD_USER_INPUT', '`after` is not a cursor this API returned');
}

export function decodeTransactionCursor(cursor: string): TransactionCursor {
  const [eventDate, source, commissionId] = decodeKey(cursor, 3);
  if (source === null || commissionId === null || (eventDate !== null && !timestampPattern.test(eventDate))) throw new QueryError('BAD_USER_INPUT', '`after` is not a cursor this API returned');
  return { eventDate, source, commissionId };
}

export function decodePayoutCursor(cursor: string): PayoutCursor {
  const [listedAt, payoutId] = decodeKey(cursor, 2);
  if (listedAt === null || payoutId === null || !timestampPattern.test(listedAt)) throw new QueryError('BAD_USER_INPUT', '`after` is not a cursor this API returned');
  return { listedAt, payoutId };
}

/** Position after a statement line: its time, rank (commission, requested, paid, ended), source and commission or payout id. */
export function decodeStatementCursor(cursor: string): [string, string, string, string] {
  const [at, rank, source, id] = decodeKey(cursor, 4);
  if (at === null || rank === null || source === null || id === null || !timestampPattern.test(at) || !/^[1-4]$/.test(rank)) throw new QueryError('BAD_USER_INPUT', '`after` is not a cursor this API returned');
  return [at, rank, source, id];
}
