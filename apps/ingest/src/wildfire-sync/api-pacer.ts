import { DataSource } from 'typeorm';

/** Time between recording a turn and the request leaving the process; keeps the partner's measured gap above its minimum. */
const sendMarginMs = 200;

/**
 * Spaces requests to a partner API at least `intervalMs` apart, across restarts and replicas:
 * the last request time lives in PostgreSQL and the row lock serialises callers. Uses the
 * database clock so replicas with skewed clocks agree.
 */
export class ApiPacer {
  constructor(private readonly dataSource: DataSource, private readonly api: string, private readonly intervalMs: number) {}

  async waitForTurn(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO partner_api_pacing (api, last_request_at) VALUES ($1, '-infinity') ON CONFLICT DO NOTHING`, [this.api]);
      const [row]: { wait_ms: string | null }[] = await manager.query(
        `SELECT CASE WHEN last_request_at = '-infinity' THEN 0
                     ELSE ceil(extract(epoch FROM (last_request_at - clock_timestamp())) * 1000) + $2 END AS wait_ms
           FROM partner_api_pacing WHERE api = $1 FOR UPDATE`,
        [this.api, this.intervalMs + sendMarginMs],
      );
      const waitMs = Math.max(0, Number(row.wait_ms ?? 0));
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      await manager.query('UPDATE partner_api_pacing SET last_request_at = clock_timestamp() WHERE api = $1', [this.api]);
    });
  }
}
