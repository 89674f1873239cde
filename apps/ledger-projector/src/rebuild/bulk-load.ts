import { LedgerPayout, PayoutCoverageRecord, toDecimalString } from '@earnings/domain';
import { assertSchemaName, commissionFigureSql, commissionRuleColumns, copyTextRow, LedgerFigureColumn, ledgerFigureColumns, openCopyIn, OrderFigureColumn, orderWithheldSql, payoutFigureSql, rawConnection } from '@earnings/persistence';
import { DataSource } from 'typeorm';
import { copyWriteChars } from '../projection/chunk-sql';
import { commissionColumnNames, stagingColumnDefinitions, stagingColumnNames, versionColumnNames } from '../projection/observation-staging';

/** The bulk statements sort a million rows and build indexes: memory for PostgreSQL, not for this process. */
const sortMemory = "SET LOCAL work_mem = '256MB'";
const indexMemory = "SET LOCAL maintenance_work_mem = '256MB'";

/** Tables loaded in bulk: their primary keys and indexes are dropped first and built once the rows are in. */
const bulkTables = ['commission', 'commission_version', 'balance'] as const;

/** Every observation of the replay, as it came: the bulk SQL decides which applied. Unlogged: a crashed rebuild is started again. */
const stagingTable = 'replayed_observation';
const versionColumns = versionColumnNames.join(', ');
const commissionColumns = commissionColumnNames.join(', ');

interface DeferredIndex {
  table: string;
  drop: string;
  create: string[];
}

/**
 * The SQL of a rebuild by bulk load: observations are copied as they come into an unlogged
 * staging table of the new schema; once the replay is done, one statement keeps the versions
 * that applied (each strictly newer than every earlier one of its commission, in arrival order:
 * the rule's ledger_supersedes, as the live projector decides), one the latest of each commission,
 * and one sums each balance's figures with the rule's figure functions; then the indexes are built.
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
    await this.dataSource.query(`CREATE UNLOGGED TABLE ${this.schema}.${stagingTable} (${stagingColumnDefinitions})`);
  }

  /** The COPY statement that fills the staging table, for the thread that writes it on its own connection. */
  stagingCopySql(): string {
    return `COPY ${this.schema}.${stagingTable} (${stagingColumnNames.join(', ')}) FROM STDIN`;
  }

  /** Versions and latest commissions from the staging table (two statements at once), then the staging table goes. */
  async foldCommissions(): Promise<void> {
    await Promise.all([
      // Every distinct version the source sent, the first to arrive of each modified date: what the live projector keeps.
      this.inTransaction(sortMemory,
        `INSERT INTO ${this.schema}.commission_version (${versionColumns})
         SELECT DISTINCT ON (source, commission_id, modified_date) ${versionColumns} FROM ${this.schema}.${stagingTable}
          ORDER BY source, commission_id, modified_date, event_partition, event_offset`),
      // Over a whole history, the rule's ledger_supersedes (only a strictly newer version applies) leaves the
      // newest modified date, the first to arrive of it: what the live projector ends with in any order.
      this.inTransaction(sortMemory,
        `INSERT INTO ${this.schema}.commission (${commissionColumns})
         SELECT DISTINCT ON (source, commission_id) ${commissionColumns} FROM ${this.schema}.${stagingTable}
          ORDER BY source, commission_id, modified_date DESC, event_partition, event_offset`),
    ]);
    await this.dataSource.query(`DROP TABLE ${this.schema}.${stagingTable}`);
  }

  /**
   * The merchant orders that hold a return not settled yet, then each (AUI, unit)'s figures: what
   * every latest commission version, every payout record and every such order adds, by the ledger's
   * rule, summed by PostgreSQL (the payout records are written first).
   */
  async writeBalances(): Promise<number> {
    const figures = ledgerFigureColumns.join(', ');
    const commissionFigure = (figure: LedgerFigureColumn | OrderFigureColumn) => commissionFigureSql(figure, ...commissionRuleColumns('c'));
    const orderOnly = ledgerFigureColumns.map((figure) => (figure === 'pending_reversals' ? orderWithheldSql('payable', 'pending_negative') : '0')).join(', ');
    let written = 0;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(sortMemory);
      await manager.query(
        `INSERT INTO ${this.schema}.order_total (aui, unit, source, merchant_id, merchant_order_id, payable, pending_negative)
         SELECT aui, unit, source, coalesce(merchant_id, ''), merchant_order_id, sum(${commissionFigure('order_payable')}), sum(${commissionFigure('order_pending_negative')})
           FROM ${this.schema}.commission c WHERE merchant_order_id IS NOT NULL
          GROUP BY aui, unit, source, coalesce(merchant_id, ''), merchant_order_id
         HAVING sum(${commissionFigure('order_pending_negative')}) <> 0`,
      );
      const [{ count }]: { count: number }[] = await manager.query(
        `WITH written AS (
           INSERT INTO ${this.schema}.balance (aui, unit, ${figures})
           SELECT aui, unit, ${ledgerFigureColumns.map((figure) => `trim_scale(sum(${figure}))`).join(', ')} FROM (
             SELECT aui, unit, ${ledgerFigureColumns.map(commissionFigure).join(', ')} FROM ${this.schema}.commission c
             UNION ALL
             SELECT aui, unit, ${ledgerFigureColumns.map((figure) => payoutFigureSql(figure, 'state', 'amount')).join(', ')} FROM ${this.schema}.payout
             UNION ALL
             SELECT aui, unit, ${orderOnly} FROM ${this.schema}.order_total) AS contribution (aui, unit, ${figures})
            GROUP BY aui, unit
           HAVING ${ledgerFigureColumns.map((figure) => `sum(${figure}) <> 0`).join(' OR ')}
           RETURNING 1)
         SELECT count(*)::int AS count FROM written`,
      );
      written = count;
    });
    return written;
  }

  /** The payout records the replay folded, and what each covered, as the live projector keeps them. */
  async writePayouts(payouts: ReadonlyMap<string, LedgerPayout>, coverage: readonly PayoutCoverageRecord[]): Promise<void> {
    await this.copyRows(
      `COPY ${this.schema}.payout (payout_id, aui, unit, amount, method, state, requested_at, executed_at, ended_at, end_reason) FROM STDIN`,
      mapped(payouts.values(), (payout) => [payout.payoutId, payout.aui, payout.unit, toDecimalString(payout.amount), payout.method, payout.state, payout.requestedAt, payout.executedAt, payout.endedAt, payout.endReason]),
    );
    await this.copyRows(
      `COPY ${this.schema}.payout_coverage (payout_id, position, aui, unit, source, commission_id, amount) FROM STDIN`,
      mapped(coverage, (row) => [row.payoutId, String(row.position), row.aui, row.unit, row.source, row.commissionId, toDecimalString(row.amount)]),
    );
  }

  /** COPYs the rows in slices of copyWriteChars; rows come one at a time, so a large replay is never held twice. */
  private async copyRows(statement: string, rows: Iterable<(string | null)[]>): Promise<void> {
    const { client, release } = await rawConnection(this.dataSource);
    try {
      const copy = openCopyIn(client, statement);
      let text = '';
      for (const row of rows) {
        text += copyTextRow(row);
        if (text.length > copyWriteChars) {
          await copy.write(text);
          text = '';
        }
      }
      if (text !== '') await copy.write(text);
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

function* mapped<T, U>(items: Iterable<T>, map: (item: T) => U): Iterable<U> {
  for (const item of items) yield map(item);
}

/** Names from the catalog, quoted as PostgreSQL wants them in DDL. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
