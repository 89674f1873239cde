import { DataSource } from 'typeorm';

/** All SQL of partner_api_pacing: the last request time per partner API, by the database clock. */
export class PartnerApiPacingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the next turn of `api`: under the row's lock, hands `wait` how long remains of `gapMs`
   * since the last request (0 when none yet), then records the request as made now. The lock
   * serialises callers across restarts and replicas; the database clock keeps skewed replicas in step.
   */
  async takeTurn(api: string, gapMs: number, wait: (waitMs: number) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO partner_api_pacing (api, last_request_at) VALUES ($1, '-infinity') ON CONFLICT DO NOTHING`, [api]);
      const [row]: { wait_ms: string | null }[] = await manager.query(
        `SELECT CASE WHEN last_request_at = '-infinity' THEN 0
                     ELSE ceil(extract(epoch FROM (last_request_at - clock_timestamp())) * 1000) + $2 END AS wait_ms
           FROM partner_api_pacing WHERE api = $1 FOR UPDATE`,
        [api, gapMs],
      );
      await wait(Math.max(0, Number(row.wait_ms ?? 0)));
      await manager.query('UPDATE partner_api_pacing SET last_request_at = clock_timestamp() WHERE api = $1', [api]);
    });
  }
}
