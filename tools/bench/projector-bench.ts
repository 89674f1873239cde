import { randomBytes } from 'node:crypto';
import { CommissionObserved, Topics } from '@earnings/contracts';
import { KafkaClient, runConsumer } from '@earnings/kafka';
import pino from 'pino';
import { Client } from 'pg';
import { nowMs, rateOf, waitForCount, waitForProjector } from './catch-up';
import { addToBenchBalance, BenchBalance, benchEvent, decimalOfUnits } from './events';
import { BackendCpu, cpuSecondsOf } from './cpu';
import { projectorPartitionsConcurrently, rawUpsertChunkRows } from './limits';
import { ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

export interface ProjectorRunFigures {
  events: number;
  eventsPerSecond: number;
  seconds: number;
  fromStart: boolean;
  /** CPU microseconds per event: of the process, and of the PostgreSQL backends serving it (where measured). */
  cpuMicrosPerEvent?: { process: number; postgres: number };
}

/** A fresh projector group from offset zero into `database` (fresh), timed until it applied everything in the topic. */
export async function timeProjector(stack: BenchStack, database: BenchDatabase, label: string, group: string): Promise<ProjectorRunFigures> {
  const events = await stack.endOffsetTotal();
  const startedAtMs = nowMs();
  const projector = await stack.startService('ledger-projector', label, { DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: group }, 'live');
  const processCpuBefore = cpuSecondsOf(projector.child.pid!);
  const postgres = new BackendCpu(() => backendPids(database.url, 'earnings-ledger-projector'));
  postgres.start();
  try {
    const progress = await waitForProjector(database.url, group, events);
    const rate = rateOf(progress, startedAtMs);
    const processSeconds = cpuSecondsOf(projector.child.pid!) - processCpuBefore;
    const postgresSeconds = await postgres.stop();
    const cpuMicrosPerEvent = { process: (processSeconds * 1e6) / events, postgres: (postgresSeconds * 1e6) / events };
    return { events, eventsPerSecond: rate.perSecond, seconds: rate.seconds, fromStart: rate.fromStart, cpuMicrosPerEvent };
  } finally {
    await postgres.stop();
    await projector.stop();
  }
}

/** The pids of PostgreSQL backends with `applicationName` connected to the database of `databaseUrl`. */
export async function backendPids(databaseUrl: string, applicationName: string): Promise<number[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'earnings-bench-pid-sampler' });
  await client.connect();
  try {
    const rows = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [applicationName]);
    return rows.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** A consumer (the same runner, the same fetch settings as the projector) that only reads commission-observed from offset zero: the transport's limit. */
export async function timeReadOnlyConsumer(kafka: KafkaClient, events: number): Promise<ProjectorRunFigures> {
  let read = 0;
  const startedAtMs = nowMs();
  const consumer = await runConsumer(kafka, {
    groupId: `bench-read-only-${randomBytes(4).toString('hex')}`, topics: [Topics.commissionObserved], offsets: { kind: 'replay' },
    maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 100, sessionTimeoutMs: 30_000, logger: pino({ level: 'silent' }),
  }, async (batch) => void (read += batch.messages.length));
  try {
    const progress = await waitForCount(async () => read, events, 'read-only consumer');
    const rate = rateOf(progress, startedAtMs);
    return { events, eventsPerSecond: rate.perSecond, seconds: rate.seconds, fromStart: rate.fromStart };
  } finally {
    await consumer.stop();
  }
}

/** Per (AUI, unit) deltas of a chunk, as the columns of one `unnest` upsert. */
function balanceDeltas(events: CommissionObserved[]): string[][] {
  const deltas = new Map<string, BenchBalance>();
  for (const event of events) addToBenchBalance(deltas, event);
  const rows = [...deltas.values()];
  return [rows.map((row) => row.aui), rows.map(() => 'USD'), rows.map((row) => decimalOfUnits(row.lifetime)), rows.map((row) => decimalOfUnits(row.pending)), rows.map((row) => decimalOfUnits(row.payable))];
}

/** The latest version of each commission in a chunk: one upsert may not touch a row twice. */
function latestPerCommission(events: CommissionObserved[]): CommissionObserved[] {
  const latest = new Map<string, CommissionObserved>();
  for (const event of events) latest.set(event.commissionId, event);
  return [...latest.values()];
}

async function upsertChunk(client: Client, schema: string, events: CommissionObserved[]): Promise<void> {
  const latest = latestPerCommission(events);
  const column = <T>(rows: CommissionObserved[], pick: (event: CommissionObserved, index: number) => T) => rows.map((event, index) => pick(event, index));
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO ${schema}.commission AS c (source, commission_id, aui, unit, user_amount, application_amount, state, source_status,
            paid_by_network, sale_amount, sale_currency, application_id, merchant_id, merchant_order_id, event_date, modified_date, observation_id, channel)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::text[], $9::boolean[],
            $10::numeric[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[], $17::text[], $18::text[])
     ON CONFLICT (source, commission_id) DO UPDATE SET state = EXCLUDED.state, source_status = EXCLUDED.source_status,
            modified_date = EXCLUDED.modified_date, observation_id = EXCLUDED.observation_id, updated_at = now()
     WHERE c.modified_date < EXCLUDED.modified_date`,
    [
      column(latest, (e) => e.source), column(latest, (e) => e.commissionId), column(latest, (e) => e.aui), column(latest, (e) => e.unit),
      column(latest, (e) => e.userAmount), column(latest, (e) => e.applicationAmount), column(latest, (e) => e.state), column(latest, (e) => e.sourceStatus),
      column(latest, (e) => e.paidByNetwork), column(latest, (e) => e.saleAmount), column(latest, (e) => e.saleCurrency), column(latest, (e) => e.applicationId),
      column(latest, (e) => e.merchantId), column(latest, (e) => e.merchantOrderId), column(latest, (e) => e.eventDate), column(latest, (e) => e.modifiedDate),
      column(latest, (e) => e.observationId), column(latest, (e) => e.channel),
    ],
  );
  await client.query(
    `INSERT INTO ${schema}.commission_version (source, commission_id, modified_date, observation_id, aui, unit, user_amount, state, source_status, channel, event_partition, event_offset)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[], $9::text[], $10::text[], $11::integer[], $12::bigint[])
     ON CONFLICT DO NOTHING`,
    [
      column(events, (e) => e.source), column(events, (e) => e.commissionId), column(events, (e) => e.modifiedDate), column(events, (e) => e.observationId),
      column(events, (e) => e.aui), column(events, (e) => e.unit), column(events, (e) => e.userAmount), column(events, (e) => e.state),
      column(events, (e) => e.sourceStatus), column(events, (e) => e.channel), column(events, () => 0), column(events, (_e, index) => String(index)),
    ],
  );
  await client.query(
    `INSERT INTO ${schema}.balance AS b (aui, unit, lifetime, pending, payable)
     SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[])
     ON CONFLICT (aui, unit) DO UPDATE SET lifetime = trim_scale(b.lifetime + EXCLUDED.lifetime), pending = trim_scale(b.pending + EXCLUDED.pending),
            payable = trim_scale(b.payable + EXCLUDED.payable), updated_at = now()`,
    balanceDeltas(events),
  );
  await client.query('COMMIT');
}

/**
 * pg alone: the same generated rows (commission upsert, version insert, balance upsert, each one
 * `unnest` statement) in transactions of `rawUpsertChunkRows`, into a projection schema of a
 * fresh database. No Kafka, no JSON parsing or validation, no ledger plan, no outbox. Only the
 * SQL is timed (the rows are generated between transactions).
 */
export async function timeRawUpsert(stack: BenchStack, run: string, events: number): Promise<ProjectorRunFigures> {
  const database = await stack.database(`raw_${run}`);
  const client = new Client({ connectionString: database.url, application_name: 'earnings-bench-raw-upsert' });
  await client.connect();
  let sqlMs = 0;
  try {
    await client.query(`SELECT create_ledger_projection('bench_raw')`);
    for (let start = 0; start < events; start += rawUpsertChunkRows) {
      const chunk = Array.from({ length: Math.min(rawUpsertChunkRows, events - start) }, (_, offset) => benchEvent(run, start + offset));
      const began = nowMs();
      await upsertChunk(client, 'bench_raw', chunk);
      sqlMs += nowMs() - began;
    }
  } finally {
    await client.end();
  }
  return { events, eventsPerSecond: events / (sqlMs / 1000), seconds: sqlMs / 1000, fromStart: false };
}

/**
 * pg alone on `connections` connections at once, as the projector applies partitions at once:
 * each AUI's rows go to one connection (so no two transactions touch the same rows), in chunks
 * of `rawUpsertChunkRows`, at most one chunk queued per connection. Timed from the first
 * chunk to the last commit, row generation included (a few percent).
 */
export async function timeConcurrentRawUpsert(stack: BenchStack, run: string, events: number, connections: number): Promise<ProjectorRunFigures> {
  const database = await stack.database(`raw_concurrent_${run}`);
  const clients = Array.from({ length: connections }, () => new Client({ connectionString: database.url, application_name: 'earnings-bench-raw-upsert' }));
  await Promise.all(clients.map((client) => client.connect()));
  try {
    await clients[0].query(`SELECT create_ledger_projection('bench_raw')`);
    const buffers: CommissionObserved[][] = clients.map(() => []);
    const writing: Promise<void>[] = clients.map(() => Promise.resolve());
    const began = nowMs();
    const write = async (connection: number) => {
      const chunk = buffers[connection];
      buffers[connection] = [];
      await writing[connection];
      writing[connection] = upsertChunk(clients[connection], 'bench_raw', chunk);
      // Awaited before the next chunk or at the end; this only keeps a failure from counting as unhandled meanwhile.
      writing[connection].catch(() => undefined);
    };
    for (let index = 0; index < events; index += 1) {
      const event = benchEvent(run, index);
      const connection = stringHash(event.aui) % connections;
      buffers[connection].push(event);
      if (buffers[connection].length === rawUpsertChunkRows) await write(connection);
    }
    for (let connection = 0; connection < connections; connection += 1) if (buffers[connection].length > 0) await write(connection);
    await Promise.all(writing);
    const seconds = (nowMs() - began) / 1000;
    return { events, eventsPerSecond: events / seconds, seconds, fromStart: false };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

/** A cheap, stable spread of AUIs over connections. */
function stringHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) hash = (hash * 31 + text.charCodeAt(index)) >>> 0;
  return hash;
}

/** Chunks the projector committed: each advances its offset with one UPDATE of consumer_offset (pg_stat_user_tables, flushed when its connections close). */
export async function chunksCommitted(database: BenchDatabase): Promise<number> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const rows = await client.query<{ updates: string }>(`SELECT n_tup_upd::text AS updates FROM pg_stat_user_tables WHERE schemaname = 'ledger_1' AND relname = 'consumer_offset'`);
    return Number(rows.rows[0]?.updates ?? 0);
  } finally {
    await client.end();
  }
}

/** Projector events per second from offset zero into `database`, beside a kafkajs consumer that only reads the same events. */
export async function projectorBench(stack: BenchStack, book: ResultBook, database: BenchDatabase, group: string): Promise<{ projector: ProjectorRunFigures; readOnly: ProjectorRunFigures; step: string }> {
  const projector = await timeProjector(stack, database, `projector-${group}`, group);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const chunks = await chunksCommitted(database);
  const step = `2. projector (${projector.events.toLocaleString('en-US')} events)`;
  const startupNote = projector.fromStart ? 'timed from process start (start-up included): the run was too short to see progress first' : '';
  const readOnly = await timeReadOnlyConsumer(stack.kafka('earnings-bench-read-only'), projector.events);
  const perTransaction = `${chunks.toLocaleString('en-US')} chunk transactions: ~${Math.round(projector.events / Math.max(chunks, 1))} events each`;
  book.add({ step, figure: 'events applied per second', value: projector.eventsPerSecond, unit: 'events/s', limit: 'kafkajs consumer that only reads', limitValue: readOnly.eventsPerSecond, note: `${perTransaction}. ${startupNote}`.trim() });
  if (projector.cpuMicrosPerEvent) {
    const { process: processMicros, postgres } = projector.cpuMicrosPerEvent;
    book.add({ step, figure: 'CPU per event: projector process + its PostgreSQL backends', value: processMicros + postgres, unit: 'µs', limit: '', limitValue: null, note: `projector ${processMicros.toFixed(1)} µs, PostgreSQL ${postgres.toFixed(1)} µs (hardly moves with what else shares the cores)` });
  }
  return { projector, readOnly, step };
}

/** The same projector figure beside pg alone writing the same generated rows, on one connection and on as many as the projector applies partitions at once. */
export async function rawUpsertBench(stack: BenchStack, book: ResultBook, run: string, generatedEvents: number, projector: ProjectorRunFigures, step: string): Promise<void> {
  const raw = await timeRawUpsert(stack, run, generatedEvents);
  book.add({ step, figure: 'events applied per second', value: projector.eventsPerSecond, unit: 'events/s', limit: `pg alone: same rows, unnest upserts, ${rawUpsertChunkRows}/txn`, limitValue: raw.eventsPerSecond, note: `pg alone wrote ${generatedEvents.toLocaleString('en-US')} generated rows` });
  const concurrent = await timeConcurrentRawUpsert(stack, `${run}c`, generatedEvents, projectorPartitionsConcurrently);
  book.add({ step, figure: 'events applied per second', value: projector.eventsPerSecond, unit: 'events/s', limit: `pg alone on ${projectorPartitionsConcurrently} connections (rows split by AUI)`, limitValue: concurrent.eventsPerSecond, note: 'the projector applies this many partitions at once (PROJECTOR_PARTITIONS_CONCURRENTLY)' });
}
