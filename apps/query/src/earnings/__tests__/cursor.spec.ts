import { QueryError } from '../../errors/query-error';
import { decodePayoutCursor, decodeTransactionCursor, encodeCursor } from '../cursor';

describe('cursors', () => {
  it('round-trip the sort key, a null event date included', () => {
    const key = { eventDate: '2024-01-15T00:00:00.123456Z', source: 'wildfire', commissionId: '9100005' };
    expect(decodeTransactionCursor(encodeCursor([key.eventDate, key.source, key.commissionId]))).toEqual(key);
    expect(decodeTransactionCursor(encodeCursor([null, 'firstpromoter', '7']))).toEqual({ eventDate: null, source: 'firstpromoter', commissionId: '7' });
    expect(decodePayoutCursor(encodeCursor(['2024-04-01T00:00:00.000001Z', 'p-1']))).toEqual({ listedAt: '2024-04-01T00:00:00.000001Z', payoutId: 'p-1' });
  });

  it.each(['not-a-cursor', encodeCursor(['x']), encodeCursor(['yesterday', 'wildfire', '1']), encodeCursor([null, null, '1'])])('refuses %s as BAD_USER_INPUT', (cursor) => {
    expect(() => decodeTransactionCursor(cursor)).toThrow(QueryError);
    expect(() => decodeTransactionCursor(cursor)).toThrow('`after` is not a cursor this API returned');
  });
});
