import type { VersionedRecord } from '../simulator-state';
import { parseMicros } from './wire-format';

/** Wildfire's documented maximum page size. */
export const pageLimitMax = 2_000;
export const pageLimitDefault = 100;

/** A position between two records of the (ModifiedDate, CommissionID) order. */
export interface PageCursor {
  direction: 'after' | 'before';
  micros: number;
  commissionId: number;
}

export interface PageQuery {
  /** Inclusive; -Infinity when not given. */
  startMicros: number;
  /** Inclusive; +Infinity when not given. */
  endMicros: number;
  limit: number;
  cursor: PageCursor | null;
}

export interface Page {
  records: VersionedRecord[];
  /** Empty at the end of the window. */
  nextCursor: string;
  /** Empty at the start of the window. */
  prevCursor: string;
}

type QueryParameters = Record<string, unknown>;

/** The query string of `GET /v{N}/commission`, or the reason for a 400. */
export function parsePageQuery(query: QueryParameters): PageQuery | string {
  const single = (name: string): string | undefined | null => {
    const value = query[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : null;
  };
  const names = ['start_modified_date', 'end_modified_date', 'sort_by', 'sort_order', 'limit', 'cursor'];
  const repeated = names.find((name) => single(name) === null);
  if (repeated !== undefined) return `${repeated} must be given once`;
  if (!['modified_date', undefined].includes(single('sort_by') as string | undefined)) return 'sort_by must be modified_date';
  if (!['asc', undefined].includes(single('sort_order') as string | undefined)) return 'sort_order must be asc';
  const startMicros = parseBound(single('start_modified_date'), Number.NEGATIVE_INFINITY);
  const endMicros = parseBound(single('end_modified_date'), Number.POSITIVE_INFINITY);
  if (startMicros === null) return 'start_modified_date must be an ISO-8601 date-time with an offset';
  if (endMicros === null) return 'end_modified_date must be an ISO-8601 date-time with an offset';
  const limit = parseLimit(single('limit'));
  if (typeof limit === 'string') return limit;
  const cursorText = single('cursor');
  const cursor = cursorText === undefined || cursorText === '' ? null : decodeCursor(cursorText as string);
  if (cursor === undefined) return 'cursor is not one this API issued';
  return { startMicros, endMicros, limit, cursor };
}

function parseBound(text: string | null | undefined, fallback: number): number | null {
  return text === undefined || text === '' ? fallback : parseMicros(text as string);
}

function parseLimit(text: string | null | undefined): number | string {
  if (text === undefined || text === '') return pageLimitDefault;
  if (!/^\d{1,9}$/.test(text as string)) return 'limit must be a positive integer';
  const limit = Number(text);
  if (limit < 1) return 'limit must be at least 1';
  if (limit > pageLimitMax) return `limit must be at most ${pageLimitMax}`;
  return limit;
}

/**
 * One page of `records` (sorted by ModifiedDate, then CommissionID) within the window. The cursor
 * names a position, not an offset, so a record that changes between two pages moves later and is
 * seen again, never skipped.
 */
export function selectPage(records: readonly VersionedRecord[], query: PageQuery): Page {
  const windowStart = firstIndexWhere(records, (record) => record.version.modified.micros >= query.startMicros);
  const windowEnd = firstIndexWhere(records, (record) => record.version.modified.micros > query.endMicros);
  const { from, to } = pageBounds(records, query, windowStart, windowEnd);
  const page = records.slice(from, to);
  if (page.length === 0) return { records: [], nextCursor: '', prevCursor: '' };
  return {
    records: page,
    nextCursor: to < windowEnd ? encodeCursor(cursorAt('after', page[page.length - 1])) : '',
    prevCursor: from > windowStart ? encodeCursor(cursorAt('before', page[0])) : '',
  };
}

function pageBounds(records: readonly VersionedRecord[], query: PageQuery, windowStart: number, windowEnd: number): { from: number; to: number } {
  const cursor = query.cursor;
  if (cursor === null) return { from: windowStart, to: Math.min(windowStart + query.limit, windowEnd) };
  if (cursor.direction === 'after') {
    const from = Math.max(windowStart, firstIndexWhere(records, (record) => compareToCursor(record, cursor) > 0));
    return { from, to: Math.max(from, Math.min(from + query.limit, windowEnd)) };
  }
  const to = Math.min(windowEnd, firstIndexWhere(records, (record) => compareToCursor(record, cursor) >= 0));
  return { from: Math.min(to, Math.max(windowStart, to - query.limit)), to };
}

function compareToCursor(record: VersionedRecord, cursor: PageCursor): number {
  return record.version.modified.micros - cursor.micros || record.commission.commissionId - cursor.commissionId;
}

function cursorAt(direction: PageCursor['direction'], record: VersionedRecord): PageCursor {
  return { direction, micros: record.version.modified.micros, commissionId: record.commission.commissionId };
}

/** Binary search: the first index whose record satisfies a predicate that is monotone over the order. */
function firstIndexWhere(records: readonly VersionedRecord[], predicate: (record: VersionedRecord) => boolean): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(records[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Opaque to clients: base64url of a versioned text. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(`c1:${cursor.direction}:${cursor.micros}:${cursor.commissionId}`, 'utf8').toString('base64url');
}

/** undefined when the text is not a cursor this API made. */
export function decodeCursor(text: string): PageCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const match = /^c1:(after|before):(-?\d{1,17}):(\d{1,15})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (match === null) return undefined;
  return { direction: match[1] as PageCursor['direction'], micros: Number(match[2]), commissionId: Number(match[3]) };
}
