import { Backoff, backoffDelayMs } from '@earnings/domain';
import { ChunkOutcome, OffsetEvent, OffsetGapError, PartitionChunk, ProjectionSwitchedError } from './ledger-store';

/**
 * SQLSTATE classes of errors that retrying the same rows can never cure: 22 (data exception:
 * 22021 a NUL byte, 22P05 an untranslatable character, 22003 numeric overflow, ...) and 54
 * (program limit exceeded: an index row too large for a very long key). Everything else
 * (connection lost, serialization failure, a restarting server) may pass on the next attempt.
 */
const refusedSqlStateClasses = ['22', '54'];

export interface DatabaseRefusal {
  sqlState: string;
  /** PostgreSQL's message: it never carries the statement's parameters. */
  message: string;
  /** The start of the failing statement, whitespace folded: enough to say which one, without its parameters. */
  statement: string | null;
}

/** The refusal when `error` is one PostgreSQL will repeat for these rows forever; null for anything transient. */
export function databaseRefusalOf(error: unknown): DatabaseRefusal | null {
  const sqlState = sqlStateOf(error);
  if (sqlState === null || !refusedSqlStateClasses.includes(sqlState.slice(0, 2))) return null;
  return { sqlState, message: firstLine((error as Error).message), statement: statementOf(error) };
}

export function sqlStateOf(error: unknown): string | null {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

const statementShownLengthMax = 80;

/** TypeORM puts the SQL text on `query`; parameters stay out of it, they live on `parameters`, never read here. */
export function statementOf(error: unknown): string | null {
  const query = (error as { query?: unknown } | null)?.query;
  return typeof query === 'string' ? query.replace(/\s+/g, ' ').trim().slice(0, statementShownLengthMax) : null;
}

const firstLine = (text: string): string => text.split('\n')[0].slice(0, 500);

export interface RefusedEvent {
  item: OffsetEvent;
  refusal: DatabaseRefusal;
}

/** What the applier needs from its consumer: the store, the dead-letter topic, and whether to keep going. */
export interface ChunkApplierPort {
  applyChunk(chunk: PartitionChunk): Promise<ChunkOutcome>;
  /** Must be durable (acknowledged by Kafka) before it returns: the offset moves past the event next. */
  deadLetter(chunk: PartitionChunk, refused: RefusedEvent): Promise<void>;
  /** A transient failure, before the wait for the next attempt. */
  retrying(chunk: PartitionChunk, error: unknown, attempt: number, delayMs: number): void;
  /** False once the consumer stops or its partitions moved to another member: stop retrying, apply nothing more. */
  stillOwned(): boolean;
  /** Waits between attempts; the consumer heartbeats here so a long outage does not cost it the partition. */
  wait(delayMs: number): Promise<void>;
}

type Attempt = { kind: 'applied'; outcome: ChunkOutcome } | { kind: 'refused'; refusal: DatabaseRefusal } | { kind: 'stopped' };

/**
 * Applies a chunk so that no message, whatever its bytes, stops the partition. A transient
 * failure is retried with the one backoff (backoffDelayMs), bounded by its `maxMs`, for as long as the
 * consumer owns the partition. A chunk PostgreSQL refuses is split in two and each half applied
 * on its own, down to the single event it refuses, which goes to the dead-letter topic while
 * the offset moves past it: k poison events in a chunk of n cost about k * log2(n) extra
 * transactions, and the good events keep their order.
 *
 * Returns null when the consumer stopped owning the partition before the chunk was done; what
 * was applied before that is committed with its offsets, so the next owner continues from there.
 */
export class ChunkApplier {
  constructor(
    private readonly port: ChunkApplierPort,
    private readonly retry: Backoff,
  ) {}

  async apply(chunk: PartitionChunk): Promise<ChunkOutcome | null> {
    const attempt = await this.applyWithRetry(chunk);
    switch (attempt.kind) {
      case 'applied':
        return attempt.outcome;
      case 'stopped':
        return null;
      case 'refused':
        return this.isolate(chunk, attempt.refusal);
    }
  }

  private async isolate(chunk: PartitionChunk, refusal: DatabaseRefusal): Promise<ChunkOutcome | null> {
    if (chunk.events.length === 0) {
      // Nothing of the chunk's own is left to blame: the store's bookkeeping SQL itself is refused. A bug: crash loudly.
      throw new Error(`PostgreSQL refused a chunk with no events (${refusal.sqlState}: ${refusal.message})`);
    }
    if (chunk.events.length === 1) {
      await this.port.deadLetter(chunk, { item: chunk.events[0], refusal });
      return this.apply({ ...chunk, events: [] });
    }
    const [first, second] = halves(chunk);
    const firstOutcome = await this.apply(first);
    if (firstOutcome === null) return null;
    const secondOutcome = await this.apply(second);
    return secondOutcome === null ? null : sumOutcomes(firstOutcome, secondOutcome);
  }

  private async applyWithRetry(chunk: PartitionChunk): Promise<Attempt> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { kind: 'applied', outcome: await this.port.applyChunk(chunk) };
      } catch (error) {
        if (error instanceof OffsetGapError || error instanceof ProjectionSwitchedError) throw error;
        const refusal = databaseRefusalOf(error);
        if (refusal !== null) return { kind: 'refused', refusal };
        if (!this.port.stillOwned()) return { kind: 'stopped' };
        const delayMs = backoffDelayMs(attempt, this.retry);
        this.port.retrying(chunk, error, attempt, delayMs);
        await this.port.wait(delayMs);
        if (!this.port.stillOwned()) return { kind: 'stopped' };
      }
    }
  }
}

/** Two contiguous offset ranges: the second starts right after the last event of the first, as the store requires. */
export function halves(chunk: PartitionChunk): [PartitionChunk, PartitionChunk] {
  const middle = Math.floor(chunk.events.length / 2);
  const firstEvents = chunk.events.slice(0, middle);
  const lastOfFirst = firstEvents[firstEvents.length - 1].offset;
  return [
    { ...chunk, events: firstEvents, lastOffset: lastOfFirst },
    { ...chunk, events: chunk.events.slice(middle), firstOffset: (BigInt(lastOfFirst) + 1n).toString() },
  ];
}

function sumOutcomes(left: ChunkOutcome, right: ChunkOutcome): ChunkOutcome {
  return {
    skippedAlreadyApplied: left.skippedAlreadyApplied + right.skippedAlreadyApplied,
    applied: left.applied + right.applied,
    duplicates: left.duplicates + right.duplicates,
    balancesChanged: left.balancesChanged + right.balancesChanged,
    reattributedPayable: [...left.reattributedPayable, ...right.reattributedPayable],
  };
}
