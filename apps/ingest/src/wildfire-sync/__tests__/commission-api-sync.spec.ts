import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { FULL_USER_SHARE, parseExactJson } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { CommissionPage, WildfireCommissionApiClient } from '@earnings/sources';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { InboundPublisher } from '../../publishing/inbound-publisher';
import { ApiPacer } from '../api-pacer';
import { CommissionApiSyncService } from '../commission-api-sync.service';
import { SyncWatermarkRepository } from '../sync-watermark.repository';

/** A record as JSON text; `amount` is written as is, so it can be a bare JSON number like 1E400. */
const record = (id: number, { modifiedDate = '2024-01-01T00:00:00Z', orderId = 'order-1', amount = '"1.5"' } = {}) =>
  `{"CommissionID":${id},"Amounts":[{"Amount":${amount},"Currency":"USD","SplitPart":"application"}],"Status":"pending",` +
  `"TrackingCode":"user-${id}","ModifiedDate":${JSON.stringify(modifiedDate)},"MerchantOrderID":${JSON.stringify(orderId)}}`;

/** One page: good, bad in each way the issue found, good. */
const pageBody = `{"Commissions":[${[
  record(1),
  record(2, { modifiedDate: '9999-12-31T23:59:59-23:59' }),
  record(3, { orderId: 'order\u0000' }),
  record(4, { amount: '1E400' }),
  record(5),
].join(',')}],"NextCursor":""}`;

/** Publishes as the real publisher does: an observation that fails its schema is a bug, and throws. */
class CheckingPublisher {
  readonly published: CommissionObserved[] = [];

  async publish(_delivery: unknown, observations: CommissionObserved[]): Promise<void> {
    for (const observation of observations) {
      const checked = checkCommissionObserved(observation);
      if (!checked.ok) throw new Error(`normaliser produced an invalid CommissionObserved: ${checked.reason}`);
    }
    this.published.push(...observations);
  }
}

describe('the Wildfire Commission API sync and records that break the input rules', () => {
  it('skips them loudly (counted) and publishes the rest of the page, so no record fails every run', async () => {
    const page: CommissionPage = { records: (parseExactJson(pageBody) as { Commissions: unknown[] }).Commissions, nextCursor: null, body: pageBody, url: 'https://api.test/v4/commission' };
    const client = { fetchPage: async () => page } as unknown as WildfireCommissionApiClient;
    const pacer = { waitForTurn: async () => undefined } as unknown as ApiPacer;
    const publisher = new CheckingPublisher();
    const metrics = new Metrics();
    const sync = new CommissionApiSyncService(
      client, pacer, {} as SyncWatermarkRepository, publisher as unknown as InboundPublisher, {} as DataSource,
      { apiVersion: 'v4', overlapMs: 0, initialStart: '2024-01-01T00:00:00Z', retryBudgetMs: 0, pagesPerWindowMax: 1, normalise: { userShare: FULL_USER_SHARE, defaultCurrency: 'USD' } },
      pino({ level: 'silent' }), metrics,
    );

    const outcome = await sync.pullWindow('2024-01-01T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z');

    expect(outcome).toMatchObject({ pages: 1, observations: 2, invalidRecords: 3 });
    expect(publisher.published.map((observation) => observation.commissionId)).toEqual(['1', '5']);
    expect(await metrics.registry.getSingleMetricAsString('wildfire_sync_records_refused_total')).toContain('wildfire_sync_records_refused_total{code="invalid-field"} 3');
  });
});
