import { CommissionObserved } from '@earnings/contracts';
import { commissionKey } from '@earnings/domain';
import { commissionFigureSql, commissionRuleColumns, ledgerFigureColumns, orderFigureColumns, supersedesSql } from '@earnings/persistence';
import { ChunkSql, stageObservationsSql } from './chunk-sql';
import { commissionColumnNames, stagingColumnNames, stagingRow, versionColumnNames } from './observation-staging';

const commissionColumns = commissionColumnNames.join(', ');
const stagedColumns = stagingColumnNames.map((name) => `o.${name}`).join(', ');
const versionColumns = versionColumnNames.join(', ');
/** What a newer version changes in a held commission's row: everything but its identity. */
const updatedColumnNames = commissionColumnNames.filter((name) => name !== 'source' && name !== 'commission_id');

/**
 * A chunk's observations, applied set-based by the ledger's rule: staged with COPY, then a few
 * statements decide and write what the chunk changes. Each statement's comment says why it is
 * there; the order matters (see `apply`).
 */
export class ObservationStatements {
  private readonly statements: Record<StatementName, string>;

  constructor(schema: string) {
    const s = schema;
    const statements = [
      {
        // Commissions new to the ledger take the chunk's newest version as their row (the first to arrive
        // of the newest date). Inserting takes the key: a chunk of another partition inserting the same
        // new commission waits here until this one commits, then finds the row and reads it below. Key
        // order, so two chunks never wait on each other in a circle.
        name: 'insert new commissions',
        sql: `WITH inserted AS (
                INSERT INTO ${s}.commission (${commissionColumns})
                SELECT DISTINCT ON (source, commission_id) ${commissionColumns} FROM ledger_chunk_observation
                 ORDER BY source, commission_id, modified_date DESC, seq
                ON CONFLICT (source, commission_id) DO NOTHING
                RETURNING source, commission_id)
              INSERT INTO ledger_chunk_new_key (source, commission_id) SELECT source, commission_id FROM inserted`,
      },
      {
        // Commissions the ledger already held: locked in key order (a chunk touching one of them waits for
        // this one) and their stored version read after the lock, so it is the latest committed one.
        name: 'lock held commissions',
        sql: `INSERT INTO ledger_chunk_stored (source, commission_id, aui, unit, user_amount, state, paid_by_network, merchant_id, merchant_order_id, modified_date)
              SELECT c.source, c.commission_id, c.aui, c.unit, c.user_amount, c.state, c.paid_by_network, c.merchant_id, c.merchant_order_id, c.modified_date
                FROM ${s}.commission c
               WHERE (c.source, c.commission_id) IN (SELECT source, commission_id FROM ledger_chunk_observation)
                 AND NOT EXISTS (SELECT 1 FROM ledger_chunk_new_key n WHERE n.source = c.source AND n.commission_id = c.commission_id)
               ORDER BY c.source, c.commission_id
                 FOR UPDATE OF c`,
      },
      {
        // The versions that apply: each strictly newer than the stored version and than every earlier one
        // of the chunk, in arrival order (the rule's ledger_supersedes).
        name: 'decide applied versions',
        sql: `INSERT INTO ledger_chunk_applied
              SELECT o.seq, ${stagedColumns} FROM (
                SELECT *, max(modified_date) OVER (PARTITION BY source, commission_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest_before
                  FROM ledger_chunk_observation) o
                LEFT JOIN ledger_chunk_stored s ON s.source = o.source AND s.commission_id = o.commission_id
               WHERE ${supersedesSql('o.modified_date', 'greatest(s.modified_date, o.newest_before)')}`,
      },
      {
        // Every distinct version the source sent (one per modified date, the first to arrive: a later equal one
        // meets the first's key and is skipped), for the
        // history: a lean row pointing at its event of record. A version that arrived after a newer one
        // counts for no balance but is still what the source said at its time, so the history (and a
        // rebuild, whatever order it replays in) holds it too.
        name: 'insert versions',
        sql: `INSERT INTO ${s}.commission_version (${versionColumns})
              SELECT ${versionColumns} FROM ledger_chunk_observation ORDER BY seq
              ON CONFLICT DO NOTHING`,
      },
      {
        // Held commissions take their newest applied version (new ones were inserted with theirs).
        name: 'update held commissions',
        sql: `UPDATE ${s}.commission c SET (${updatedColumnNames.join(', ')}, updated_at) = (${updatedColumnNames.map((name) => `n.${name}`).join(', ')}, now())
                FROM (SELECT DISTINCT ON (a.source, a.commission_id) a.* FROM ledger_chunk_applied a
                        JOIN ledger_chunk_stored s ON s.source = a.source AND s.commission_id = a.commission_id
                       ORDER BY a.source, a.commission_id, a.modified_date DESC) n
               WHERE c.source = n.source AND c.commission_id = n.commission_id`,
      },
      {
        // What the chunk moves: each changed commission's newest version enters its balance, its stored
        // version (if any) leaves its own; a newer version may name another user or unit.
        name: 'contributions of changed commissions',
        sql: `WITH newest AS (
                SELECT DISTINCT ON (source, commission_id) source, commission_id, aui, unit, state, user_amount, paid_by_network, merchant_id, merchant_order_id,
                       observation_id, observed_at
                  FROM ledger_chunk_applied ORDER BY source, commission_id, modified_date DESC)
              INSERT INTO ledger_chunk_contribution (aui, unit, ${contributionColumns}, caused_by, observed_at)
              SELECT n.aui, n.unit, ${figures('n', '')}, n.observation_id, n.observed_at FROM newest n
              UNION ALL
              SELECT s.aui, s.unit, ${figures('s', '-')}, n.observation_id, n.observed_at
                FROM newest n JOIN ledger_chunk_stored s ON s.source = n.source AND s.commission_id = n.commission_id`,
      },
    ] as const;
    this.statements = Object.fromEntries(statements.map(({ name, sql }) => [name, sql])) as Record<StatementName, string>;
  }

  /** Stages the observations (in chunk order) and applies them; the contributions are left for the balance statement. */
  async apply(sql: ChunkSql, partition: number, observations: readonly { offset: string; event: CommissionObserved }[]): Promise<{ applied: number; duplicates: number }> {
    if (observations.length === 0) return { applied: 0, duplicates: 0 };
    let rows = '';
    for (let seq = 0; seq < observations.length; seq += 1) {
      const { offset, event } = observations[seq];
      rows += `${seq}\t${stagingRow(event, partition, offset)}`;
    }
    await sql.copy(stageObservationsSql, rows);
    const inserted = await sql.run(this.statements['insert new commissions']);
    // A catch-up mostly brings commissions the ledger never held: then there is nothing to lock or update.
    const anyHeld = inserted < new Set(observations.map(({ event }) => commissionKey(event.source, event.commissionId))).size;
    if (anyHeld) await sql.run(this.statements['lock held commissions']);
    const applied = await sql.run(this.statements['decide applied versions']);
    await sql.run(this.statements['insert versions']);
    if (anyHeld) await sql.run(this.statements['update held commissions']);
    await sql.run(this.statements['contributions of changed commissions']);
    return { applied, duplicates: observations.length - applied };
  }
}

type StatementName = 'insert new commissions' | 'lock held commissions' | 'decide applied versions' | 'insert versions' | 'update held commissions' | 'contributions of changed commissions';

const contributionColumns = [...ledgerFigureColumns, 'order_source', 'order_merchant', 'order_id', ...orderFigureColumns].join(', ');

/** The rule's figures of one version (`alias`), and its order's, negated for a version that leaves its balance. */
function figures(alias: string, sign: '' | '-'): string {
  const rule = commissionRuleColumns(alias);
  const figure = (name: (typeof ledgerFigureColumns)[number] | (typeof orderFigureColumns)[number]) => `${sign}${commissionFigureSql(name, ...rule)}`;
  // An order is named by its source, merchant and order id; a version without an order id names none.
  const order = [`${alias}.source`, `coalesce(${alias}.merchant_id, '')`, `${alias}.merchant_order_id`];
  return [...ledgerFigureColumns.map(figure), ...order, ...orderFigureColumns.map(figure)].join(', ');
}
