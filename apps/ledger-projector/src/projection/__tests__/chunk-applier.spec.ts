import fc from 'fast-check';
import type { LedgerEvent } from '@earnings/domain';
import { ChunkApplier, ChunkApplierPort, databaseRefusalOf, halves, RefusedEvent } from '../chunk-applier';
import { ChunkOutcome, OffsetEvent, OffsetGapError, PartitionChunk } from '../ledger-store';

/** A PostgreSQL error as TypeORM throws it: the SQLSTATE on `code`, the SQL on `query`, the values on `parameters`. */
function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, query: 'INSERT INTO ledger_1.commission_version (source, commission_id)\n  SELECT * FROM unnest($1::text[])', parameters: [['secret-aui']] });
}

/**
 * A store with the real one's offset rules (a chunk may not start above the stored next offset;
 * below it, events are skipped) that refuses, as PostgreSQL does, any chunk holding a poison event.
 */
class FakeStore {
  nextOffset = 0n;
  readonly applied: string[] = [];
  transientFailuresLeft = 0;

  constructor(private readonly poison: ReadonlySet<string>) {}

  async applyChunk(chunk: PartitionChunk): Promise<ChunkOutcome> {
    if (BigInt(chunk.firstOffset) > this.nextOffset) throw new OffsetGapError(chunk.topic, chunk.partition, this.nextOffset, BigInt(chunk.firstOffset));
    if (this.transientFailuresLeft > 0) {
      this.transientFailuresLeft -= 1;
      throw postgresError('57P01', 'terminating connection due to administrator command');
    }
    const fresh = chunk.events.filter((item) => BigInt(item.offset) >= this.nextOffset);
    if (fresh.some((item) => this.poison.has(item.offset))) throw postgresError('22021', 'invalid byte sequence for encoding "UTF8": 0x00');
    this.applied.push(...fresh.map((item) => item.offset));
    if (BigInt(chunk.lastOffset) + 1n > this.nextOffset) this.nextOffset = BigInt(chunk.lastOffset) + 1n;
    return { skippedAlreadyApplied: chunk.events.length - fresh.length, applied: fresh.length, duplicates: 0, balancesChanged: fresh.length, reattributedPayable: [] };
  }
}

function chunkOf(offsets: number[], lastOffset = offsets[offsets.length - 1]): PartitionChunk {
  const events: OffsetEvent[] = offsets.map((offset) => ({ offset: String(offset), event: { type: 'CommissionObserved', aui: `u${offset}` } as unknown as LedgerEvent }));
  return { topic: 't', partition: 0, events, firstOffset: '0', lastOffset: String(lastOffset) };
}

function harness(store: FakeStore, owned: () => boolean = () => true) {
  const deadLettered: string[] = [];
  const waits: number[] = [];
  const port: ChunkApplierPort = {
    applyChunk: (chunk) => store.applyChunk(chunk),
    deadLetter: async (_chunk, refused: RefusedEvent) => void deadLettered.push(refused.item.offset),
    retrying: () => undefined,
    stillOwned: owned,
    wait: async (delayMs) => void waits.push(delayMs),
  };
  return { applier: new ChunkApplier(port, { firstMs: 100, maxMs: 1_000 }), deadLettered, waits };
}

describe('ChunkApplier: no message stops a partition', () => {
  it('applies every good event once, in order, and dead-letters exactly the ones PostgreSQL refuses', async () => {
    const chunks = fc.integer({ min: 1, max: 60 }).chain((size) => fc.tuple(fc.constant(size), fc.subarray(Array.from({ length: size }, (_, index) => String(index)))));
    await fc.assert(
      fc.asyncProperty(chunks, async ([size, poisonOffsets]) => {
        const offsets = Array.from({ length: size }, (_, index) => index);
        const store = new FakeStore(new Set(poisonOffsets));
        const { applier, deadLettered } = harness(store);
        const outcome = await applier.apply(chunkOf(offsets));
        expect(store.applied).toEqual(offsets.map(String).filter((offset) => !poisonOffsets.includes(offset)));
        expect(deadLettered).toEqual(poisonOffsets);
        expect(store.nextOffset).toBe(BigInt(size));
        expect(outcome?.applied).toBe(size - poisonOffsets.length);
      }),
      { numRuns: 300 },
    );
  });

  it('moves past offsets of schema-invalid messages that are not in the chunk, poison or not', async () => {
    const store = new FakeStore(new Set(['4']));
    const { applier, deadLettered } = harness(store);
    await applier.apply(chunkOf([1, 4, 6], 9));
    expect(store.applied).toEqual(['1', '6']);
    expect(deadLettered).toEqual(['4']);
    expect(store.nextOffset).toBe(10n);
  });

  it('retries a transient failure with doubling, bounded waits, and dead-letters nothing', async () => {
    const store = new FakeStore(new Set());
    store.transientFailuresLeft = 6;
    const { applier, deadLettered, waits } = harness(store);
    await applier.apply(chunkOf([0, 1, 2]));
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(store.applied).toEqual(['0', '1', '2']);
    expect(deadLettered).toEqual([]);
  });

  it('stops retrying once the consumer no longer owns the partition, having applied nothing', async () => {
    const store = new FakeStore(new Set());
    store.transientFailuresLeft = 100;
    let owned = 3;
    const { applier } = harness(store, () => (owned -= 1) > 0);
    expect(await applier.apply(chunkOf([0, 1]))).toBeNull();
    expect(store.applied).toEqual([]);
  });
});

describe('what counts as a refusal', () => {
  it('is a data exception or a program limit, never a connection problem', () => {
    expect(databaseRefusalOf(postgresError('22P05', 'unsupported Unicode escape sequence'))?.sqlState).toBe('22P05');
    expect(databaseRefusalOf(postgresError('22003', 'numeric field overflow'))?.sqlState).toBe('22003');
    expect(databaseRefusalOf(postgresError('54000', 'index row size 9000 exceeds btree version 4 maximum 2704'))?.sqlState).toBe('54000');
    expect(databaseRefusalOf(postgresError('08006', 'connection failure'))).toBeNull();
    expect(databaseRefusalOf(postgresError('40001', 'could not serialize access'))).toBeNull();
    expect(databaseRefusalOf(new Error('Connection terminated unexpectedly'))).toBeNull();
  });

  it('names the statement by its start and never carries its parameters', () => {
    const refusal = databaseRefusalOf(postgresError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(refusal?.statement).toBe('INSERT INTO ledger_1.commission_version (source, commission_id) SELECT * FROM un');
    expect(JSON.stringify(refusal)).not.toContain('secret-aui');
  });
});

describe('halves and backoff', () => {
  it('splits a chunk into two contiguous offset ranges', () => {
    const [first, second] = halves(chunkOf([3, 5, 8, 9], 12));
    expect(first).toMatchObject({ firstOffset: '0', lastOffset: '5' });
    expect(first.events.map((item) => item.offset)).toEqual(['3', '5']);
    expect(second).toMatchObject({ firstOffset: '6', lastOffset: '12' });
    expect(second.events.map((item) => item.offset)).toEqual(['8', '9']);
  });
});
