import { openCopyIn, RawClient } from '@earnings/persistence';
import { stagingColumnDefinitions, stagingColumnNames } from './observation-staging';

/** One connection's statements inside a chunk's transaction; a failing statement's error names its SQL (never its parameters). */
export interface ChunkSql {
  run(text: string, values?: unknown[]): Promise<number>;
  rows<T>(text: string, values?: unknown[]): Promise<T[]>;
  /** COPY FROM STDIN of text-format rows, in pieces of about copyWriteChars. */
  copy(text: string, rows: string): Promise<void>;
  readonly client: RawClient;
}

/** Writes to a COPY stream in pieces of about this many characters: few calls, little held. */
export const copyWriteChars = 256 * 1024;

/**
 * Every statement of a chunk is prepared once per connection under a name of its own: PostgreSQL
 * plans the long set-based statements once, not once per chunk. Bounded by the few statement texts
 * there are (one set per projection schema).
 */
const statementNames = new Map<string, string>();
const statementNamesMax = 1_000;

function preparedNameOf(text: string): string | undefined {
  if (!/^\s*(WITH|INSERT|UPDATE|DELETE|SELECT)\b/i.test(text)) return undefined;
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < statementNamesMax) {
    name = `ledger_chunk_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

export function connectionSql(client: RawClient): ChunkSql {
  const query = async (text: string, values?: unknown[]) => {
    try {
      const name = preparedNameOf(text);
      return (await client.query(name === undefined ? text : ({ name, text, values } as unknown as string), name === undefined ? values : undefined)) as { rowCount: number | null; rows: unknown[] };
    } catch (error) {
      throw withStatement(error, text);
    }
  };
  return {
    client,
    run: async (text, values) => (await query(text, values)).rowCount ?? 0,
    rows: async <T>(text: string, values?: unknown[]) => (await query(text, values)).rows as T[],
    copy: async (text, rows) => {
      const copy = openCopyIn(client, text);
      try {
        for (let start = 0; start < rows.length; start += copyWriteChars) await copy.write(rows.slice(start, start + copyWriteChars));
        await copy.end();
      } catch (error) {
        throw withStatement(error, text);
      }
    },
  };
}

/** The failing statement on the error, where the consumer's logs and the applier's refusal read it (TypeORM's convention). */
function withStatement(error: unknown, text: string): unknown {
  if (error instanceof Error && (error as { query?: unknown }).query === undefined) Object.assign(error, { query: text });
  return error;
}

/**
 * The chunk's working tables: temporary (one set per connection, never written to the WAL), empty
 * at every commit. A chunk's observations are copied into ledger_chunk_observation in arrival order
 * (`seq`); the statements fill the others.
 */
const chunkTables = [
  `ledger_chunk_observation (seq integer NOT NULL, ${stagingColumnDefinitions})`,
  // Commissions the chunk brought that the ledger did not hold: their row is the chunk's newest version, inserted first.
  'ledger_chunk_new_key (source text NOT NULL, commission_id text NOT NULL)',
  // The stored version of every commission of the chunk the ledger already held, read under its row lock.
  `ledger_chunk_stored (source text NOT NULL, commission_id text NOT NULL, aui text NOT NULL, unit text NOT NULL, user_amount numeric NOT NULL, state text NOT NULL,
     paid_by_network boolean NOT NULL, merchant_id text, merchant_order_id text, modified_date timestamptz NOT NULL)`,
  // The staged versions the rule applied.
  'ledger_chunk_applied (LIKE ledger_chunk_observation)',
  // What the chunk moves, one row per (balance, version or payout record) entering (+) or leaving (-), with the merchant order
  // the version belongs to (none: order_id NULL) and what it adds to the order's figures; NOT NULL, so a figure the rule does not know stops the chunk.
  `ledger_chunk_contribution (aui text NOT NULL, unit text NOT NULL, lifetime numeric NOT NULL, pending numeric NOT NULL, payable numeric NOT NULL,
     paid_by_network numeric NOT NULL, paid_out numeric NOT NULL, reserved numeric NOT NULL, pending_reversals numeric NOT NULL,
     order_source text, order_merchant text, order_id text, order_payable numeric NOT NULL, order_pending_negative numeric NOT NULL,
     order_withheld boolean NOT NULL DEFAULT false, caused_by text NOT NULL, observed_at timestamptz)`,
];

const prepared = new WeakSet<RawClient>();

/** Creates the working tables on a connection the first time it applies a chunk. */
export async function ensureChunkTables(sql: ChunkSql): Promise<void> {
  if (prepared.has(sql.client)) return;
  for (const table of chunkTables) await sql.run(`CREATE TEMPORARY TABLE IF NOT EXISTS ${table} ON COMMIT DELETE ROWS`);
  prepared.add(sql.client);
}

export const stageObservationsSql = `COPY ledger_chunk_observation (seq, ${stagingColumnNames.join(', ')}) FROM STDIN`;
