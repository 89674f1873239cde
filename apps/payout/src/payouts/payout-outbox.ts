import { cloudEventHeaders } from '@earnings/contracts';
import { OutboxPort, OutboxRow, OutboxRows } from '@earnings/kafka';
import { EntityManager } from 'typeorm';
import { PayoutRepository } from './payout.repository';

/**
 * The payout outbox (key AUI), for the relay in libs/kafka. Every payout process runs a relay; one
 * at a time holds the advisory lock for the length of its pass, so two processes never publish the
 * same rows at once or interleave an AUI's events. A crash between publishing and marking
 * publishes rows again: consumers apply a payout id once, so that is harmless.
 */
export class PayoutOutbox implements OutboxPort {
  readonly name = 'payout_outbox';

  constructor(private readonly payouts: PayoutRepository) {}

  pass(relay: (rows: OutboxRows) => Promise<number>): Promise<number | 'busy'> {
    return this.payouts.transaction(async (manager) => {
      if (!(await this.payouts.tryLockOutboxRelay(manager))) return 'busy';
      return relay(this.rowsIn(manager));
    });
  }

  private rowsIn(manager: EntityManager): OutboxRows {
    return {
      readUnpublished: async (limit: number): Promise<OutboxRow[]> => {
        const rows = await this.payouts.unpublished(manager, limit);
        return rows.map((row) => ({ id: row.id, topic: row.topic, key: row.message_key, value: JSON.stringify(row.payload), headers: headersOf(row.payload) }));
      },
      markPublished: (ids: readonly string[]) => this.payouts.markPublished(manager, ids),
    };
  }
}

/** CloudEvents binary headers, as on every event of the product, so consumers can route without parsing. */
function headersOf(payload: unknown): Record<string, string> {
  const event = payload as { type: string; payoutId: string; executedAt?: string; failedAt?: string; requestedAt?: string; submittedAt?: string; returnedAt?: string };
  // One payout has several events: the step names each; PayoutExecuted keeps the payout id alone, as before.
  const id = event.type === 'PayoutExecuted' ? event.payoutId : `${event.payoutId}:${event.type}`;
  const time = event.executedAt ?? event.failedAt ?? event.requestedAt ?? event.submittedAt ?? event.returnedAt ?? new Date().toISOString();
  return cloudEventHeaders({ id, type: event.type, source: '/payout', time });
}
