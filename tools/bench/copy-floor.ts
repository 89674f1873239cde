import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { nowMs } from './catch-up';
import { cpuSecondsOf } from './cpu';
import { copyTextRow, CopyValue } from '@earnings/persistence';
import { addToBenchBalance, BenchBalance, benchEvent, decimalOfUnits } from './events';
import { rawUpsertChunkRows } from './limits';
import { ProjectorRunFigures } from './projector-bench';
import { ResultBook } from './report';
import { BenchStack } from './stack';

/** The name of the COPY floor wherever it stands as a limit. */
export const copyFloorLimit = 'COPY of the same lean rows into the same tables (one COPY per table, 1 connection)';

/** One table's rows as COPY text, in pieces of `rawUpsertChunkRows` rows, built before the COPY starts. */
interface CopyInput {
  table: string;
  columns: string[];
  pieces: Buffer[];
  rows: number;
}

/** The columns the projector writes (ledger-store.ts); the rest keep their defaults, as there. */
const commissionColumns = ['source', 'commission_id', 'aui', 'unit', 'user_amount', 'application_amount', 'state', 'source_status', 'paid_by_network', 'sale_amount',
  'sale_currency', 'application_id', 'merchant_id', 'merchant_order_id', 'event_date', 'modified_date', 'observation_id', 'channel', 'locking_date'];
const versionColumns = ['source', 'commission_id', 'modified_date', 'observation_id', 'aui', 'unit', 'user_amount', 'state', 'source_status', 'channel', 'paid_by_network', 'event_partition', 'event_offset'];
const balanceColumns = ['aui', 'unit', 'lifetime', 'pending', 'payable', 'paid_by_network', 'paid_out', 'reserved', 'pending_reversals'];

/** Collects rows as COPY text, `rawUpsertChunkRows` to a piece: about 0.5 MB each, so the stream gets few, large writes. */
class CopyInputBuilder {
  private readonly pieces: Buffer[] = [];
  private piece: string[] = [];
  private rows = 0;

  constructor(private readonly table: string, private readonly columns: string[]) {}

  add(values: CopyValue[]): void {
    if (values.length !== this.columns.length) throw new Error(`${this.table}: a row of ${values.length} values for ${this.columns.length} columns`);
    this.piece.push(copyTextRow(values));
    this.rows += 1;
    if (this.piece.length === rawUpsertChunkRows) this.closePiece();
  }

  build(): CopyInput {
    this.closePiece();
    return { table: this.table, columns: this.columns, pieces: this.pieces, rows: this.rows };
  }

  private closePiece(): void {
    if (this.piece.length > 0) this.pieces.push(Buffer.from(this.piece.join(''), 'utf8'));
    this.piece = [];
  }
}

/** Every event's version row (offset = its index, as pg alone writes it); fills in what the other tables need: each commission's latest index, each AUI's balance. */
function versionInput(run: string, events: number, latestIndexes: Map<string, number>, balances: Map<string, BenchBalance>): CopyInput {
  const builder = new CopyInputBuilder('commission_version', versionColumns);
  for (let index = 0; index < events; index += 1) {
    const event = benchEvent(run, index);
    builder.add([event.source, event.commissionId, event.modifiedDate, event.observationId, event.aui, event.unit, event.userAmount, event.state,
      event.sourceStatus, event.channel, event.paidByNetwork, 0, index]);
    // Generated versions of a commission come in order, so the last one seen is the latest.
    latestIndexes.set(event.commissionId, index);
    addToBenchBalance(balances, event);
  }
  return builder.build();
}

/** The latest version of each commission, regenerated from its index (benchEvent is deterministic). */
function commissionInput(run: string, latestIndexes: Map<string, number>): CopyInput {
  const builder = new CopyInputBuilder('commission', commissionColumns);
  for (const index of latestIndexes.values()) {
    const event = benchEvent(run, index);
    builder.add([event.source, event.commissionId, event.aui, event.unit, event.userAmount, event.applicationAmount, event.state, event.sourceStatus,
      event.paidByNetwork, event.saleAmount, event.saleCurrency, event.applicationId, event.merchantId, event.merchantOrderId, event.eventDate,
      event.modifiedDate, event.observationId, event.channel, event.lockingDate]);
  }
  return builder.build();
}

function balanceInput(balances: Map<string, BenchBalance>): CopyInput {
  const builder = new CopyInputBuilder('balance', balanceColumns);
  for (const balance of balances.values()) {
    builder.add([balance.aui, 'USD', decimalOfUnits(balance.lifetime), decimalOfUnits(balance.pending), decimalOfUnits(balance.payable), '0', '0', '0', '0']);
  }
  return builder.build();
}

/**
 * Builds one table's COPY text, then COPYs it FROM STDIN in one statement (its own transaction);
 * only the COPY is timed, from the statement to PostgreSQL's ReadyForQuery. The text is dropped
 * on return, so one table's is held at a time.
 */
async function copyTable(client: Client, schema: string, build: () => CopyInput, backendPid: number): Promise<{ copyMs: number; rows: number; postgresSeconds: number }> {
  const input = build();
  const cpuBefore = cpuSecondsOf(backendPid);
  const began = nowMs();
  const stream = client.query(copyFrom(`COPY ${schema}.${input.table} (${input.columns.join(', ')}) FROM STDIN (FORMAT text)`));
  await pipeline(Readable.from(input.pieces), stream);
  const copyMs = nowMs() - began;
  if (stream.rowCount !== input.rows) throw new Error(`COPY into ${input.table} reports ${stream.rowCount} rows, ${input.rows} were sent`);
  return { copyMs, rows: input.rows, postgresSeconds: cpuSecondsOf(backendPid) - cpuBefore };
}

/**
 * The machine's floor for the projector and the rebuild: the rows the projector ends with for
 * `events` generated events (the latest version of each commission, every version, one balance
 * per AUI) written with one COPY per table on one connection into a projection schema of a fresh
 * database. No Kafka, no parsing, no ledger plan, no conflict handling, no account, outbox or
 * offset rows. Only the COPY statements are timed: each table's text is built before its COPY,
 * one table at a time (at 1,000,000 events the bench process peaked at ~0.6 GB RSS doing so).
 * One COPY per table, not one per chunk: this is the fastest these rows go into these tables.
 */
export async function timeCopyFloor(stack: BenchStack, run: string, events: number): Promise<ProjectorRunFigures & { tableRows: Record<string, number> }> {
  const database = await stack.database(`copy_${run}`);
  const client = new Client({ connectionString: database.url, application_name: 'earnings-bench-copy-floor' });
  await client.connect();
  try {
    await client.query(`SELECT create_ledger_projection('bench_copy')`);
    const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const latestIndexes = new Map<string, number>();
    const balances = new Map<string, BenchBalance>();
    const versions = await copyTable(client, 'bench_copy', () => versionInput(run, events, latestIndexes, balances), backendPid);
    const commissions = await copyTable(client, 'bench_copy', () => commissionInput(run, latestIndexes), backendPid);
    const balanceRows = await copyTable(client, 'bench_copy', () => balanceInput(balances), backendPid);
    const seconds = (versions.copyMs + commissions.copyMs + balanceRows.copyMs) / 1000;
    const postgresSeconds = versions.postgresSeconds + commissions.postgresSeconds + balanceRows.postgresSeconds;
    const tableRows = { commission: commissions.rows, commission_version: versions.rows, balance: balanceRows.rows };
    return { events, eventsPerSecond: events / seconds, seconds, fromStart: false, tableRows, cpuMicrosPerEvent: { process: 0, postgres: (postgresSeconds * 1e6) / events } };
  } finally {
    await client.end();
  }
}

/** The projector figure beside the COPY floor for the same generated events; returns the floor for the rebuild's rows. */
export async function copyFloorBench(stack: BenchStack, book: ResultBook, run: string, generatedEvents: number, projector: ProjectorRunFigures, step: string): Promise<ProjectorRunFigures> {
  const floor = await timeCopyFloor(stack, run, generatedEvents);
  const rows = Object.entries(floor.tableRows).map(([table, count]) => `${count.toLocaleString('en-US')} ${table}`).join(', ');
  book.add({ step, figure: 'events applied per second', value: projector.eventsPerSecond, unit: 'events/s', limit: copyFloorLimit, limitValue: floor.eventsPerSecond, note: `COPY wrote ${generatedEvents.toLocaleString('en-US')} generated events as ${rows} rows in ${floor.seconds.toFixed(2)} s (row generation not timed)` });
  if (projector.cpuMicrosPerEvent && floor.cpuMicrosPerEvent) {
    const spent = projector.cpuMicrosPerEvent.process + projector.cpuMicrosPerEvent.postgres;
    book.add({ step, figure: 'CPU per event: projector process + its PostgreSQL backends', value: spent, unit: 'µs', limit: 'PostgreSQL CPU of the COPY floor', limitValue: floor.cpuMicrosPerEvent.postgres, note: 'a ratio of CPU, not of rates: how much more work an event costs than COPY of its rows' });
  }
  return floor;
}
