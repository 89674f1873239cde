import { buildSimulator } from '../../server';
import { decodeCursor, encodeCursor, pageLimitMax, parsePageQuery, selectPage } from '../commission-page';
import { formatMicros } from '../wire-format';

describe('parsePageQuery', () => {
  it('reads the documented parameters, at microsecond precision', () => {
    const query = parsePageQuery({ start_modified_date: '2023-03-07T02:57:58.5251Z', end_modified_date: '2023-03-08T00:00:00+01:00', sort_by: 'modified_date', sort_order: 'asc', limit: '2000' });
    expect(query).toEqual({ startMicros: Date.UTC(2023, 2, 7, 2, 57, 58) * 1000 + 525_100, endMicros: Date.UTC(2023, 2, 7, 23) * 1000, limit: 2000, cursor: null });
  });

  it.each([
    [{ limit: String(pageLimitMax + 1) }, 'limit must be at most 2000'],
    [{ limit: '0' }, 'limit must be at least 1'],
    [{ limit: '1.5' }, 'limit must be a positive integer'],
    [{ sort_order: 'desc' }, 'sort_order must be asc'],
    [{ sort_by: 'created_date' }, 'sort_by must be modified_date'],
    [{ start_modified_date: 'yesterday' }, 'start_modified_date must be an ISO-8601 date-time with an offset'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor is not one this API issued'],
    [{ limit: ['1', '2'] }, 'limit must be given once'],
  ])('refuses %j', (query, message) => {
    expect(parsePageQuery(query)).toBe(message);
  });
});

describe('selectPage', () => {
  const { state } = buildSimulator({ seed: 'page-spec', commissions: 250, users: 10 });
  state.advanceHours(24 * 365);
  const records = state.latestVisible();
  const key = (record: (typeof records)[number]) => record.commission.commissionId;

  it('walks forward with NextCursor and back with PrevCursor', () => {
    expect(records).toHaveLength(250);
    const first = selectPage(records, { startMicros: -Infinity, endMicros: Infinity, limit: 100, cursor: null });
    expect(first.records.map(key)).toEqual(records.slice(0, 100).map(key));
    expect(first.prevCursor).toBe('');
    const second = selectPage(records, { startMicros: -Infinity, endMicros: Infinity, limit: 100, cursor: decodeCursor(first.nextCursor)! });
    expect(second.records.map(key)).toEqual(records.slice(100, 200).map(key));
    const back = selectPage(records, { startMicros: -Infinity, endMicros: Infinity, limit: 100, cursor: decodeCursor(second.prevCursor)! });
    expect(back.records.map(key)).toEqual(first.records.map(key));
    const last = selectPage(records, { startMicros: -Infinity, endMicros: Infinity, limit: 2000, cursor: decodeCursor(second.nextCursor)! });
    expect(last.records.map(key)).toEqual(records.slice(200).map(key));
    expect(last.nextCursor).toBe('');
  });

  it('keeps to the inclusive modified-date window', () => {
    const start = records[10].version.modified.micros;
    const end = records[19].version.modified.micros;
    const page = selectPage(records, { startMicros: start, endMicros: end, limit: 2000, cursor: null });
    expect(page.records.map(key)).toEqual(records.slice(10, 20).map(key));
    expect(page).toMatchObject({ nextCursor: '', prevCursor: '' });
    expect(formatMicros(start)).toMatch(/Z$/);
  });

  it('issues opaque cursors it can read back', () => {
    const cursor = { direction: 'after' as const, micros: 1_678_157_878_525_100, commissionId: 32736944 };
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('!!')).toBeUndefined();
  });
});
