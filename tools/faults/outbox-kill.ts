import { Client } from 'pg';
import { ServiceProcess } from '../local-stack/processes';

const lockNotAvailable = '55P03';
const relayWaitMs = 3_000;
/** How often `provoke` is asked to make new outbox rows while no relay pass has been caught. */
const provokeIntervalMs = 2_000;

/**
 * Kills `service` (SIGKILL) after its outbox relay's Kafka send was acknowledged and before the
 * rows were marked sent, without touching the service: this session locks the oldest unsent rows
 * of `outboxTable`; the relay reads them (a plain SELECT does not wait for row locks), sends them,
 * and its UPDATE ... SET published_at then waits for the lock, which proves the acknowledgement came.
 * The service is killed and its waiting backend terminated (so a pending UPDATE can never commit
 * for a dead process), then the lock released: the rows are unsent again, already in Kafka.
 * `provoke` is called every 2 s meanwhile, for outboxes that only fill on request (a payout run).
 * Returns how many rows were caught, or throws when no relay pass was caught within `timeoutMs`.
 */
export async function killBetweenAcknowledgementAndMark(
  databaseUrl: string, outboxTable: string, service: ServiceProcess, timeoutMs: number, provoke: () => Promise<unknown> = async () => undefined,
): Promise<number> {
  if (!/^[a-z_][a-z0-9_.]*$/.test(outboxTable)) throw new Error(`unexpected table ${outboxTable}`);
  const locker = new Client({ connectionString: databaseUrl, application_name: 'faults-outbox-locker' });
  const watcher = new Client({ connectionString: databaseUrl, application_name: 'faults-outbox-watcher' });
  await locker.connect();
  await watcher.connect();
  try {
    const deadlineMs = Date.now() + timeoutMs;
    const attempts = { tried: 0, lockedRows: 0 };
    let provokedAtMs = 0;
    while (Date.now() < deadlineMs) {
      attempts.tried += 1;
      if (Date.now() - provokedAtMs > provokeIntervalMs) {
        provokedAtMs = Date.now();
        void provoke();
      }
      const caught = await tryOnce(locker, watcher, outboxTable, service, attempts);
      if (caught > 0) return caught;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no relay pass of ${outboxTable} caught between send and mark within ${timeoutMs} ms (${attempts.tried} attempts, ${attempts.lockedRows} of them locked unsent rows)`);
  } finally {
    await locker.end().catch(() => undefined);
    await watcher.end().catch(() => undefined);
  }
}

/** One attempt: lock unsent rows, wait for the relay's UPDATE to block on them, kill. 0 when nothing was caught. */
async function tryOnce(locker: Client, watcher: Client, outboxTable: string, service: ServiceProcess, attempts: { lockedRows: number }): Promise<number> {
  await locker.query('BEGIN');
  try {
    const locked = await locker.query(`SELECT id FROM ${outboxTable} WHERE published_at IS NULL ORDER BY id LIMIT 500 FOR UPDATE NOWAIT`);
    if (locked.rowCount === 0) return 0;
    attempts.lockedRows += 1;
    const waitingPid = await relayWaitingOnLock(watcher, outboxTable);
    if (waitingPid === null) return 0;
    await service.kill();
    await watcher.query('SELECT pg_terminate_backend($1)', [waitingPid]);
    return locked.rowCount ?? 0;
  } catch (error) {
    // The relay's own UPDATE holds some of those rows right now: try again.
    if ((error as { code?: string }).code === lockNotAvailable) return 0;
    throw error;
  } finally {
    await locker.query('ROLLBACK');
  }
}

/** The backend of a relay whose UPDATE of the outbox waits for a row lock, if one does within a few seconds. */
async function relayWaitingOnLock(watcher: Client, outboxTable: string): Promise<number | null> {
  const deadlineMs = Date.now() + relayWaitMs;
  while (Date.now() < deadlineMs) {
    const { rows } = await watcher.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND query ILIKE 'UPDATE ' || $1 || ' SET published_at%' AND application_name NOT LIKE 'faults-%'`,
      [outboxTable],
    );
    if (rows.length > 0) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return null;
}
