import { CommissionObserved } from '@earnings/contracts';
import { addFigures, BalanceFigures, balanceKey, contributionOf, Decimal, isZeroFigures, LedgerPayout, payoutContributionOf, toDecimalString, zeroFigures } from '@earnings/domain';
import { assertSchemaName, copyOutLines, copyTextRow, openCopyIn, parseCopyTextRow, rawConnection } from '@earnings/persistence';
import { DataSource } from 'typeorm';

/** The bulk statements sort a million rows and build indexes: memory for PostgreSQL, not for this process. */
const sortMemory = "SET LOCAL work_mem = '256MB'";
const indexMemory = "SET LOCAL maintenance_work_mem = '256MB'";

/** Tables loaded in bulk: their primary keys and indexes are dropped first and built once the rows are in. */
const bulkTables = ['commission', 'commission_version', 'balance'] as const;

/** Every observation of the replay, as it came: the bulk SQL decides which applied. Unlogged: a crashed rebuild is started again. */
const stagingTable = 'replayed_observation';
const stagingColumns = [
  'source', 'commission_id', 'aui', 'unit', 'user_amount', 'application_amount', 'state', 'source_status', 'paid_by_network',
  'sale_amount', 'sale_currency', 'application_id', 'merchant_id', 'merchant_order_id', 'event_date', 'modified_date',
  'observation_id', 'channel', 'locking_date', 'event_partition', 'event_offset',
] as const;
const commissionColumns = stagingColumns.filter((column) => column !== 'event_partition' && column !== 'event_offset');
const versionColumns = ['source', 'commission_id', 'modified_date', 'observation_id', 'aui', 'unit', 'user_amount', 'state', 'source_status', 'channel', 'event_partition', 'event_offset'];

interface DeferredIndex {
  table: string;
  drop: string;
  create: string[];
}

/**
 * The SQL of a rebuild by bulk load: observations are copied as they come into an unlogged
 * staging table of the new schema; once the replay is done, one statement keeps the versions
 * that applied (each strictly newer than every earlier one of its commission, in arrival order,
 * as the live projector decides), one the latest of each commission, and the balances are
 * folded from those with the ledger's own contribution rule, then the indexes are built.
 */
export class BulkLoad {
  readonly schema: string;
  private deferredIndexes: DeferredIndex[] = [];

  constructor(private readonly dataSource: DataSource, schema: string) {
    this.schema = assertSchemaName(schema);
  }

  /** Drops the bulk tables' keys and indexes (remembered, to build after the load) and creates the staging table. */
  async prepare(): Promise<void> {
    const rows: { table_name: string; index_name: string; constraint_name: string | null; constraint_type: 'p' | 'u' | null; index_def: string }[] = await this.dataSource.query(
      `SELECT t.relname AS table_name, i.relname AS index_name, c.conname AS constraint_name, c.contype AS constraint_type, pg_get_indexdef(i.oid) AS index_def
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.contype IN ('p', 'u')
        WHERE n.nspname = $1 AND t.relname = ANY($2)
        ORDER BY t.relname, c.conname NULLS LAST, i.relname`,
      [this.schema, [...bulkTables]],
    );
    this.deferredIndexes = rows.map((row) => ({
      table: row.table_name,
      drop: row.constraint_name !== null
        ? `ALTER TABLE ${this.schema}.${row.table_name} DROP CONSTRAINT ${quoteIdentifier(row.constraint_name)}`
        : `DROP INDEX ${this.schema}.${quoteIdentifier(row.index_name)}`,
      // A key is built as its unique index first and then attached (a moment's lock): readers of the table are not held up meanwhile.
      create: row.constraint_name !== null
        ? [row.index_def, `ALTER TABLE ${this.schema}.${row.table_name} ADD CONSTRAINT ${quoteIdentifier(row.constraint_name)} ${row.constraint_type === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoteIdentifier(row.index_name)}`]
        : [row.index_def],
    }));
    for (const index of this.deferredIndexes) await this.dataSource.query(index.drop);
    await this.dataSource.query(
      `CREATE UNLOGGED TABLE ${this.schema}.${stagingTable} (
         source text, commission_id text, aui text, unit text, user_amount numeric, application_amount numeric, state text,
         source_status text, paid_by_network boolean, sale_amount numeric, sale_currency text, application_id text, merchant_id text,
         merchant_order_id text, event_date timestamptz, modified_date timestamptz, observation_id text, channel text,
         locking_date timestamptz, event_partition integer, event_offset bigint)`,
    );
  }

  /** The COPY statement that fills the staging table, for the thread that writes it on its own connection. */
  stagingCopySql(): string {
    return `COPY ${this.schema}.${stagingTable} (${stagingColumns.join(', ')}) FROM STDIN`;
  }

  /** Versions and latest commissions from the staging table (two statements at once), then the staging table goes. */
  async foldCommissions(): Promise<void> {
    const versions = versionColumns.join(', ');
    const latest = commissionColumns.join(', ');
    await Promise.all([
      this.inTransaction(sortMemory,
        `INSERT INTO ${this.schema}.commission_version (${versions})
         SELECT ${versions} FROM (
           SELECT *, max(modified_date) OVER (PARTITION BY source, commission_id ORDER BY event_partition, event_offset
                                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest_before
             FROM ${this.schema}.${stagingTable}) arrived
          WHERE newest_before IS NULL OR modified_date > newest_before`),
      // The first to arrive of the newest modified date is the one that applied; later equals were duplicates.
      this.inTransaction(sortMemory,
        `INSERT INTO ${this.schema}.commission (${latest})
         SELECT DISTINCT ON (source, commission_id) ${latest} FROM ${this.schema}.${stagingTable}
          ORDER BY source, commission_id, modified_date DESC, event_partition, event_offset`),
    ]);
    await this.dataSource.query(`DROP TABLE ${this.schema}.${stagingTable}`);
  }

  /**
   * Each (AUI, unit)'s figures: the contribution of every latest commission version plus every
   * payout's, by the ledger's rules (libs/domain), folded in key order so only one balance is in
   * memory at a time, and copied into the balance table.
   */
  async writeBalances(payouts: ReadonlyMap<string, LedgerPayout>): Promise<number> {
    const payoutFigures = new Map<string, { aui: string; unit: string; figures: BalanceFigures }>();
    for (const payout of payouts.values()) {
      const key = balanceKey(payout.aui, payout.unit);
      const entry = payoutFigures.get(key) ?? { aui: payout.aui, unit: payout.unit, figures: zeroFigures };
      entry.figures = addFigures(entry.figures, payoutContributionOf(payout));
      payoutFigures.set(key, entry);
    }
    const reader = await rawConnection(this.dataSource);
    const writer = await rawConnection(this.dataSource);
    let written = 0;
    try {
      const copy = openCopyIn(writer.client, `COPY ${this.schema}.balance (aui, unit, lifetime, pending, payable, paid_by_network, paid_out, reserved, pending_reversals) FROM STDIN`);
      let rows = '';
      const emit = async (aui: string, unit: string, figures: BalanceFigures) => {
        const key = balanceKey(aui, unit);
        const fromPayouts = payoutFigures.get(key);
        if (fromPayouts) {
          figures = addFigures(figures, fromPayouts.figures);
          payoutFigures.delete(key);
        }
        if (isZeroFigures(figures)) return;
        rows += balanceRow(aui, unit, figures);
        written += 1;
        if (rows.length > copyWriteChars) {
          await copy.write(rows);
          rows = '';
        }
      };
      let current: { aui: string; unit: string; figures: BalanceFigures } | null = null;
      // Summed per state, network split and sign first: contributionOf is additive within such a group (libs/domain pins it).
      const lines = copyOutLines(reader.client,
        `COPY (SELECT aui, unit, state, paid_by_network, sum(user_amount) FROM ${this.schema}.commission
                GROUP BY aui, unit, state, paid_by_network, user_amount < 0 ORDER BY aui, unit) TO STDOUT`);
      for await (const line of lines) {
        const [aui, unit, state, paidByNetwork, userAmount] = parseCopyTextRow(line) as string[];
        if (current === null || current.aui !== aui || current.unit !== unit) {
          if (current !== null) await emit(current.aui, current.unit, current.figures);
          current = { aui, unit, figures: zeroFigures };
        }
        const contribution = contributionOf({ state: state as CommissionObserved['state'], paidByNetwork: paidByNetwork === 't', userAmount: new Decimal(userAmount) });
        current.figures = addFigures(current.figures, contribution);
      }
      if (current !== null) await emit(current.aui, current.unit, current.figures);
      // Balances with payouts and no commission: emit adds the payouts' figures itself.
      for (const { aui, unit } of [...payoutFigures.values()]) await emit(aui, unit, zeroFigures);
      if (rows !== '') await copy.write(rows);
      await copy.end();
    } finally {
      reader.release();
      writer.release();
    }
    return written;
  }

  /** The payout records the replay folded, as the live projector keeps them. */
  async writePayouts(payouts: ReadonlyMap<string, LedgerPayout>): Promise<void> {
    if (payouts.size === 0) return;
    const { client, release } = await rawConnection(this.dataSource);
    try {
      const copy = openCopyIn(client, `COPY ${this.schema}.payout (payout_id, aui, unit, amount, method, state, requested_at, executed_at, ended_at, end_reason) FROM STDIN`);
      let rows = '';
      for (const payout of payouts.values()) {
        rows += copyTextRow([payout.payoutId, payout.aui, payout.unit, toDecimalString(payout.amount), payout.method, payout.state, payout.requestedAt, payout.executedAt, payout.endedAt, payout.endReason]);
        if (rows.length > copyWriteChars) {
          await copy.write(rows);
          rows = '';
        }
      }
      if (rows !== '') await copy.write(rows);
      await copy.end();
    } finally {
      release();
    }
  }

  /** Builds the keys and indexes dropped in prepare: tables at once, each table's one after another. */
  async buildIndexes(tables: readonly string[] = bulkTables): Promise<void> {
    await Promise.all(tables.map(async (table) => {
      for (const index of this.deferredIndexes.filter((deferred) => deferred.table === table)) {
        for (const statement of index.create) await this.inTransaction(indexMemory, statement);
      }
    }));
    await this.dataSource.query(`ANALYZE ${tables.map((table) => `${this.schema}.${table}`).join(', ')}`);
  }

  /** The offsets the replay reached, under the live group: the live projector continues from them after a switch. */
  async storeOffsets(consumerGroup: string, offsets: ReadonlyMap<string, { topic: string; partition: number; nextOffset: bigint }>): Promise<void> {
    const rows = [...offsets.values()];
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.consumer_offset (consumer_group, topic, partition, next_offset)
       SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::bigint[])
       ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [consumerGroup, rows.map((row) => row.topic), rows.map((row) => row.partition), rows.map((row) => row.nextOffset.toString())],
    );
  }

  private async inTransaction(setting: string, sql: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(setting);
      await manager.query(sql);
    });
  }
}

/** Writes to a COPY stream in pieces of about this many characters: few calls, little held. */
export const copyWriteChars = 256 * 1024;

/** The staging row of an observation, in stagingColumns' order. */
export function stagingRow(observation: CommissionObserved, partition: number, offset: string): string {
  const o = observation;
  return copyTextRow([
    o.source, o.commissionId, o.aui, o.unit, o.userAmount, o.applicationAmount, o.state, o.sourceStatus, o.paidByNetwork,
    o.saleAmount, o.saleCurrency, o.applicationId, o.merchantId, o.merchantOrderId, o.eventDate, o.modifiedDate,
    o.observationId, o.channel, o.lockingDate, partition, offset,
  ]);
}

function balanceRow(aui: string, unit: string, figures: BalanceFigures): string {
  const text = (value: Decimal) => toDecimalString(value);
  return copyTextRow([aui, unit, text(figures.lifetime), text(figures.pending), text(figures.payable), text(figures.paidByNetwork), text(figures.paidOut), text(figures.reserved), text(figures.pendingReversals)]);
}


/** Names from the catalog, quoted as PostgreSQL wants them in DDL. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
