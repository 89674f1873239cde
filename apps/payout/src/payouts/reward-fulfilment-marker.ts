import { FirstPromoterApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

/** Ids per mark_fulfilled call: FirstPromoter runs more than 5 as a batch process, which the client follows. */
export const markIdsPerCallMax = 100;

/**
 * Tells FirstPromoter that delivered rewards were fulfilled. The rows are written with the
 * payout's success (same transaction); this marks them and then records it. A crash between the
 * call and the record repeats the call for those ids, which FirstPromoter treats as a no-op.
 */
export class RewardFulfilmentMarker {
  constructor(private readonly dataSource: DataSource, private readonly client: FirstPromoterApiClient, private readonly logger: Logger) {}

  async markOnce(): Promise<number> {
    const rows: { commission_id: string }[] = await this.dataSource.query(
      `SELECT commission_id FROM reward_fulfilment WHERE marked_at IS NULL AND reversed_at IS NULL ORDER BY created_at, commission_id LIMIT ${markIdsPerCallMax}`,
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.commission_id);
    const result = await this.client.markFulfilled(ids);
    await this.dataSource.query(`UPDATE reward_fulfilment SET marked_at = now() WHERE commission_id = ANY($1::text[])`, [ids]);
    this.logger.info({ marked: ids.length, polls: result.polls }, 'rewards marked fulfilled at FirstPromoter');
    return ids.length;
  }

  /**
   * A delivery the partner reversed: FirstPromoter is told mark_unfulfilled (it moves the payout
   * back to pending), then it is recorded. Only what was marked fulfilled needs unmarking.
   */
  async unmarkOnce(): Promise<number> {
    const rows: { commission_id: string }[] = await this.dataSource.query(
      `SELECT commission_id FROM reward_fulfilment WHERE reversed_at IS NOT NULL AND marked_at IS NOT NULL AND unmarked_at IS NULL
        ORDER BY reversed_at, commission_id LIMIT ${markIdsPerCallMax}`,
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.commission_id);
    const result = await this.client.markUnfulfilled(ids);
    await this.dataSource.query(`UPDATE reward_fulfilment SET unmarked_at = now() WHERE commission_id = ANY($1::text[])`, [ids]);
    this.logger.info({ unmarked: ids.length, polls: result.polls }, 'reversed rewards marked unfulfilled at FirstPromoter');
    return ids.length;
  }
}
