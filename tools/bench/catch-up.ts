import { Topics } from '@earnings/contracts';
import { Client } from 'pg';
import { catchUpTimeoutMs, progressPollMs } from './limits';

/** When progress was first seen, how far it was then, and when everything was applied. */
export interface Progress {
  firstSeenAtMs: number;
  firstSeenCount: number;
  doneAtMs: number;
  total: number;
}

const nowMs = (): number => performance.now();

/**
 * Events per second over the measured stretch: from the first poll that saw progress to the
 * end. When everything was already done at the first look (tiny loads), from `startedAtMs`.
 */
export function rateOf(progress: Progress, startedAtMs: number): { perSecond: number; seconds: number; fromStart: boolean } {
  const fromStart = progress.firstSeenCount >= progress.total || progress.doneAtMs <= progress.firstSeenAtMs;
  const seconds = (progress.doneAtMs - (fromStart ? startedAtMs : progress.firstSeenAtMs)) / 1000;
  const events = fromStart ? progress.total : progress.total - progress.firstSeenCount;
  return { perSecond: events / Math.max(seconds, 1e-3), seconds, fromStart };
}

/** Polls `count` until it reaches `total`, recording when progress was first seen. */
export async function waitForCount(count: () => Promise<number>, total: number, what: string): Promise<Progress> {
  const deadline = Date.now() + catchUpTimeoutMs;
  let first: { atMs: number; count: number } | null = null;
  for (;;) {
    const value = await count();
    const atMs = nowMs();
    if (value > 0 && first === null) first = { atMs, count: value };
    if (value >= total) return { firstSeenAtMs: first!.atMs, firstSeenCount: first!.count, doneAtMs: atMs, total };
    if (Date.now() > deadline) throw new Error(`${what}: ${value} of ${total} after ${catchUpTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, progressPollMs));
  }
}

/** Sum of a projector group's stored next offsets on commission-observed in the schema readers point at. */
export async function storedOffsetTotal(client: Client, group: string): Promise<number> {
  const pointer = await client.query<{ schema_name: string }>(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`);
  const schema = pointer.rows[0].schema_name;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  const rows = await client.query<{ total: string | null }>(
    `SELECT sum(next_offset)::text AS total FROM ${schema}.consumer_offset WHERE consumer_group = $1 AND topic = $2`,
    [group, Topics.commissionObserved],
  );
  return Number(rows.rows[0].total ?? 0);
}

/** Waits until the projector of `group` in `databaseUrl` has applied `total` commission-observed messages. */
export async function waitForProjector(databaseUrl: string, group: string, total: number): Promise<Progress> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await waitForCount(() => storedOffsetTotal(client, group), total, `projector ${group}`);
  } finally {
    await client.end();
  }
}

export { nowMs };
