import { CommissionObserved } from '@earnings/contracts';
import { FirstPromoterCommissionMemory, toEpochMicros } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { firstPromoterFixture } from '@earnings/testing';
import { InboundDelivery, InboundPublisher } from '../../../publishing/inbound-publisher';
import { FirstPromoterDirectoryRepository } from '../../repositories/firstpromoter-directory.repository';
import { CommissionMemoryChange, FirstPromoterVersionRepository } from '../../repositories/firstpromoter-version.repository';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import { FirstPromoterIngestService } from '../firstpromoter-ingest.service';
import { FirstPromoterVersionService } from '../firstpromoter-version.service';

/** The version repository's contract in memory: decide on the memory, then keep what changed. */
class InMemoryVersions {
  readonly memories = new Map<string, FirstPromoterCommissionMemory>();

  async settle<T>(commissionId: string, decide: (memory: FirstPromoterCommissionMemory) => { change: CommissionMemoryChange; result: T }): Promise<T> {
    const memory = this.memories.get(commissionId) ?? { keptOwner: null, versions: [], newestObservation: null };
    const { change, result } = decide(memory);
    const versions = change.version === null ? memory.versions : [...memory.versions, change.version];
    const newest = [...versions].sort((left, right) => (toEpochMicros(left.versionDate) < toEpochMicros(right.versionDate) ? -1 : 1)).at(-1);
    this.memories.set(commissionId, {
      keptOwner: change.owner?.aui ?? memory.keptOwner,
      versions,
      newestObservation: change.version !== null && newest === change.version ? change.version.observation : memory.newestObservation,
    });
    return result;
  }

  async ownersOf(): Promise<Map<string, string>> {
    return new Map();
  }
}

/** The service with its repositories and publisher in memory: what it publishes and answers for each delivery. */
function sut(v2IsTheRecord: boolean) {
  const published: { delivery: InboundDelivery; observations: CommissionObserved[] }[] = [];
  const publisher = { publish: async (delivery: InboundDelivery, observations: CommissionObserved[]) => void published.push({ delivery, observations }) };
  const recorded = new Set<string>();
  const deliveries = { wasRecorded: async (_source: string, id: string) => recorded.has(id), record: async (_source: string, id: string) => void recorded.add(id) };
  const directory = { userIdsOf: jest.fn(async () => new Map()), learnPromoter: jest.fn(async () => undefined), recordLegacyPending: jest.fn(async () => undefined) };
  const versions = new FirstPromoterVersionService(new InMemoryVersions() as unknown as FirstPromoterVersionRepository, new Metrics());
  const service = new FirstPromoterIngestService(
    publisher as unknown as InboundPublisher, deliveries as unknown as WebhookDeliveryRepository, directory as unknown as FirstPromoterDirectoryRepository, versions,
    { normalise: {}, deliveredUnits: new Set(['credits']), v2IsTheRecord }, new Metrics(),
  );
  const received = (body: Buffer | string) => ({ body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers: {}, endpoint: '/webhooks/firstpromoter', receivedAt: '2026-10-20T00:00:00.000Z' });
  return { service, published, directory, received };
}

const fixture = (name: string) => firstPromoterFixture(name).body;
/** The created fixture as a retry FirstPromoter sends late (its first delivery failed), with the promoter's secrets inside. */
const lateCreated = () => {
  const body = JSON.parse(fixture('v2-commission-created-pending').toString('utf8'));
  body.event_id = 'retry-of-created';
  body.data.promoter_campaign.promoter.auth_token = 'secret-auth-token';
  return JSON.stringify(body);
};

describe('FirstPromoterIngestService', () => {
  it('answers a late retry as an older duplicate, dated below the version it lost to, and copies it to raw-inbound without secrets', async () => {
    const { service, published, received } = sut(true);
    expect(await service.receiveWebhook(received(fixture('v2-commission-updated-approved')))).toEqual({ status: 200, body: { status: 'recorded', eventId: '3d1f7e0a-5b7c-4d8e-9f10-222222222222' } });
    expect(await service.receiveWebhook(received(lateCreated()))).toEqual({ status: 200, body: { status: 'duplicate', eventId: 'retry-of-created', reason: 'older-version' } });
    const [approved, late] = published.map((entry) => entry.observations[0]);
    expect(toEpochMicros(late.modifiedDate)).toBeLessThan(toEpochMicros(approved.modifiedDate));
    expect(published[1].delivery.body.toString('utf8')).not.toContain('secret-auth-token');
    expect(published[1].delivery.body.toString('utf8')).not.toContain('@example.test');
  });

  it('answers an event it recorded before as a duplicate and publishes nothing again', async () => {
    const { service, published, received } = sut(true);
    await service.receiveWebhook(received(fixture('v2-commission-created-pending')));
    expect(await service.receiveWebhook(received(fixture('v2-commission-created-pending')))).toEqual({ status: 200, body: { status: 'duplicate', eventId: '3d1f7e0a-5b7c-4d8e-9f10-111111111111', reason: 'same-event' } });
    expect(published).toHaveLength(1);
  });

  it('with v2 recording commissions, keeps a legacy fulfilment pending and books nothing', async () => {
    const { service, published, directory, received } = sut(true);
    expect(await service.receiveLegacy(received(fixture('legacy-fulfilment-pending')))).toEqual({ status: 'pending', reason: 'counted-by-v2', eventId: '5367', httpStatus: 202 });
    expect(published.map((entry) => entry.observations)).toEqual([[]]);
    expect(published[0].delivery.body.toString('utf8')).not.toContain('da954kn43856nacueroytnjrwg46k5');
    expect(directory.recordLegacyPending).toHaveBeenCalledWith(expect.objectContaining({ eventId: '5367', reason: 'counted-by-v2' }));
  });

  it('without v2, books a legacy fulfilment for its user and answers 200', async () => {
    const { service, published, received } = sut(false);
    expect(await service.receiveLegacy(received(fixture('legacy-fulfilment-pending')))).toEqual({ status: 'recorded', eventId: '5367', httpStatus: 200 });
    expect(published[0].observations).toEqual([expect.objectContaining({ commissionId: 'fulfilment:90', aui: '23452', unit: 'credits', userAmount: '20', state: 'PAYABLE' })]);
  });
});
