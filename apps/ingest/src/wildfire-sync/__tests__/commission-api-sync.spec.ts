import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { FULL_USER_SHARE, parseExactJson } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { CommissionPage, WildfireCommissionApiClient } from '@earnings/sources';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { InboundPublisher } from '../../publishing/inbound-publisher';
import { ApiPacer } from '../api-pacer';
import { CommissionApiSyncService } from '../commission-api-sync.service';
import { SyncResumePointRepository } from '../sync-resume-point.repository';
import { SyncWatermarkRepository } from '../sync-watermark.repository';
import { WildfirePublisher } from '../../wildfire/wildfire-publisher';

/** A record as JSON text; `amount` is written as is, so it can be a bare JSON number like 1E400. */
const record = (id: number, { modifiedDate = '2024-01-01T00:00:00Z', orderId = 'order-1', amount = '"1.5"' } = {}) =>
  `{"CommissionID":${id},"Amounts":[{"Amount":${amount},"Currency":"USD","SplitPart":"application"}],"Status":"pending",` +
  `"TrackingCode":"user-${id}","ModifiedDate":${JSON.stringify(modifiedDate)},"MerchantOrderID":${JSON.stringify(orderId)}}`;

/** One page: good, bad in each way issue 17 found, good; issue 24: the NUL in an order id is metadata, cleaned and published. */
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

const options = {
  apiVersion: 'v4' as const, overlapMs: 0, initialStart: '2024-01-01T00:00:00Z', retryBudgetMs: 0, pagesPerWindowMax: 10, progressLogIntervalMs: 60_000,
  normalise: { userShare: FULL_USER_SHARE, defaultCurrency: 'USD' },
};

function syncWith(pages: CommissionPage[], publisher: CheckingPublisher, metrics: Metrics): CommissionApiSyncService {
  let next = 0;
  const client = { fetchPage: async () => pages[next++] } as unknown as WildfireCommissionApiClient;
  const pacer = { waitForTurn: async () => undefined } as unknown as ApiPacer;
  const wildfire = new WildfirePublisher(publisher as unknown as InboundPublisher, { trackingCodes: null, merchants: null }, metrics, pino({ level: 'silent' }));
  return new CommissionApiSyncService(client, pacer, {} as SyncWatermarkRepository, {} as SyncResumePointRepository, wildfire, {} as DataSource, options, pino({ level: 'silent' }), metrics);
}

const pageOf = (body: string, nextCursor: string | null): CommissionPage => ({ records: (parseExactJson(body) as { Commissions: unknown[] }).Commissions, nextCursor, body, url: 'https://api.test/v4/commission' });

describe('the Wildfire Commission API sync and records that break the input rules', () => {
  it('skips records whose money fields break them, loudly (counted), publishes the rest of the page, and cleans metadata instead of refusing', async () => {
    const publisher = new CheckingPublisher();
    const metrics = new Metrics();
    const outcome = await syncWith([pageOf(pageBody, null)], publisher, metrics).pullWindow('2024-01-01T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z');

    expect(outcome).toMatchObject({ pages: 1, observations: 3, invalidRecords: 2, modifiedDateReached: '2024-01-01T00:00:00.000000Z' });
    expect(publisher.published.map((observation) => [observation.commissionId, observation.merchantOrderId])).toEqual([['1', 'order-1'], ['3', 'order'], ['5', 'order-1']]);
    expect(await metrics.registry.getSingleMetricAsString('wildfire_sync_records_refused_total')).toContain('wildfire_sync_records_refused_total{code="invalid-field"} 2');
    expect(await metrics.registry.getSingleMetricAsString('wildfire_fields_cleaned_total')).toContain('wildfire_fields_cleaned_total{field="MerchantOrderID",change="removed-characters"} 1');
  });
});

describe('a window the sync can resume', () => {
  it('notes after each page, once it is in Kafka, the latest modified date published', async () => {
    const saved: unknown[] = [];
    const resume = { repository: { save: async (_name: string, point: unknown) => void saved.push(point) } as unknown as SyncResumePointRepository, windowStart: '2024-01-01T00:00:00.000000Z' };
    const first = `{"Commissions":[${record(1, { modifiedDate: '2024-01-01T10:00:00.5Z' })},${record(2, { modifiedDate: '2024-01-01T11:00:00.25Z' })}],"NextCursor":"c1"}`;
    const second = `{"Commissions":[${record(3, { modifiedDate: '2024-01-01T12:00:00Z' })}],"NextCursor":""}`;
    const sync = syncWith([pageOf(first, 'c1'), pageOf(second, null)], new CheckingPublisher(), new Metrics());

    const outcome = await sync.pullWindow('2024-01-01T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z', { resume, done: { pages: 7, records: 70 } });

    expect(saved).toEqual([
      { windowStart: '2024-01-01T00:00:00.000000Z', resumeFrom: '2024-01-01T11:00:00.250000Z', pages: 8, records: 72 },
      { windowStart: '2024-01-01T00:00:00.000000Z', resumeFrom: '2024-01-01T12:00:00.000000Z', pages: 9, records: 73 },
    ]);
    expect(outcome).toMatchObject({ pages: 9, observations: 73, modifiedDateReached: '2024-01-01T12:00:00.000000Z' });
  });
});
