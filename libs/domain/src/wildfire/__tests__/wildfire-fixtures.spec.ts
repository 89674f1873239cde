import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { wildfireFixture } from '@earnings/testing';
import { Decimal, toDecimalString, ZERO } from '../../money/decimal';
import { compareTimestamps } from '../../time/source-timestamp';
import { normaliseWildfireCallback } from '../wildfire-callback';
import { baseContext, fixtureObservation, wildfireFixtureNames } from './wildfire-test-support';

type Expected = Pick<
  CommissionObserved,
  | 'commissionId' | 'aui' | 'state' | 'sourceStatus' | 'unit' | 'userAmount' | 'applicationAmount' | 'paidByNetwork'
  | 'saleAmount' | 'saleCurrency' | 'applicationId' | 'merchantId' | 'deviceId' | 'merchantOrderId' | 'merchantSkus'
  | 'eventDate' | 'lockingDate' | 'createdDate' | 'modifiedDate' | 'deliveryId' | 'apiVersion'
>;

const v4DeviceSplit: Omit<Expected, 'sourceStatus' | 'deliveryId'> = {
  commissionId: '775109', aui: '012345-6780a-bcdef0-74932', state: 'PAYABLE', unit: 'USD',
  userAmount: '5.7695', applicationAmount: '2.88475', paidByNetwork: true, saleAmount: '384.65', saleCurrency: 'USD',
  applicationId: '0', merchantId: '98813', deviceId: '12345', merchantOrderId: '1234582725', merchantSkus: ['sku123nd'],
  eventDate: '2022-10-27T23:08:45.000000Z', lockingDate: '2022-10-27T23:08:45.000000Z',
  createdDate: '2022-10-27T23:08:45.898588Z', modifiedDate: '2022-10-27T23:13:45.898588Z', apiVersion: 'v4',
};

/** An application-split-only v4 record of the ledger-style scenarios (all pending, application 104 or 156). */
function scenario(fields: Partial<Expected> & Pick<Expected, 'commissionId' | 'aui' | 'userAmount' | 'saleAmount' | 'modifiedDate'>): Partial<Expected> {
  return { state: 'PENDING', sourceStatus: 'pending', unit: 'USD', applicationAmount: fields.userAmount, paidByNetwork: false, saleCurrency: 'USD', apiVersion: 'v4', ...fields };
}

const expectations: Record<(typeof wildfireFixtureNames)[number], Partial<Expected>> = {
  'v2-create-pending': {
    commissionId: '12345', aui: '012345-6780a-bcdef0-12345', state: 'PENDING', sourceStatus: 'pending', unit: 'USD',
    userAmount: '3.211', applicationAmount: '3.211', paidByNetwork: false, saleAmount: '321', saleCurrency: null,
    applicationId: '42', merchantId: '123456', deviceId: '19283', merchantOrderId: '397254095', merchantSkus: ['465056245'],
    eventDate: '2019-09-12T01:22:33.000000Z', lockingDate: null, createdDate: '2019-09-13T02:22:33.987654Z',
    modifiedDate: '2019-09-13T02:22:33.987654Z', deliveryId: '12345678-90ab-cdef-1234-567890abcdef', apiVersion: 'v2',
  },
  'v3-create-pending': {
    commissionId: '12345', aui: '012345-6780a-bcdef0-12345', state: 'PENDING', sourceStatus: 'pending', unit: 'USD',
    userAmount: '3.211', applicationAmount: '3.211', paidByNetwork: false, saleAmount: '321', saleCurrency: 'USD',
    applicationId: '0', merchantId: '123456', deviceId: '19283', merchantOrderId: '397254095', merchantSkus: ['465056245'],
    eventDate: '2019-09-12T01:22:33.000000Z', lockingDate: null, createdDate: '2019-09-13T02:22:33.987654Z',
    modifiedDate: '2019-09-13T02:22:33.987654Z', deliveryId: '96d0a222-c84c-4b6b-8722-8fb8447f9565', apiVersion: 'v3',
  },
  'v4-create-paid-device-split': { ...v4DeviceSplit, sourceStatus: 'paid', deliveryId: '87f0a400-c84c-4b6b-8722-8fb8447f9565' },
  'v4-resend-same-version-pascal': { ...v4DeviceSplit, sourceStatus: 'paid', deliveryId: '87f0a400-c84c-4b6b-8722-8fb8447f9566' },
  'order-level-1-purchase': scenario({
    commissionId: '31870476', aui: 'aui-order-level-0001', userAmount: '1.25', saleAmount: '60.99', applicationId: '104',
    merchantOrderId: '6327180345', merchantSkus: [], lockingDate: '2023-05-01T05:00:00.000000Z',
    createdDate: '2023-02-02T18:53:58.106991Z', modifiedDate: '2023-02-02T18:53:58.106991Z',
  }),
  'order-level-2-partial-return': scenario({
    commissionId: '31870476', aui: 'aui-order-level-0001', userAmount: '0.2925', saleAmount: '44.96',
    merchantSkus: [], createdDate: '2023-02-02T18:53:58.106991Z', modifiedDate: '2023-03-25T10:44:56.526455Z',
  }),
  'item-level-1-item-a': scenario({
    commissionId: '32736944', aui: 'aui-item-level-0002', userAmount: '1.632', saleAmount: '67.99', applicationId: '156',
    merchantId: '5479868', deviceId: '18156054', merchantOrderId: 'm2673245040', merchantSkus: ['15406898'],
    eventDate: '2023-03-04T21:04:00.000000Z', lockingDate: null, createdDate: '2023-03-06T15:24:36.611096Z',
    modifiedDate: '2023-03-07T02:57:58.525100Z', deliveryId: '0f4a1c2e-0002-4000-8000-000000000001',
  }),
  'item-level-2-item-b': scenario({
    commissionId: '32736945', aui: 'aui-item-level-0002', userAmount: '2.616', saleAmount: '109', modifiedDate: '2023-03-07T02:58:07.931103Z',
  }),
  'item-level-3-return-item-b': scenario({
    commissionId: '33556694', aui: 'aui-item-level-0002', userAmount: '-2.616', saleAmount: '-109', merchantSkus: ['15453724'],
    createdDate: '2023-04-01T23:40:45.361252Z', modifiedDate: '2023-04-01T23:40:45.361252Z',
  }),
  'mixed-1-order-purchase': scenario({
    commissionId: '32753768', aui: 'aui-mixed-0003', userAmount: '3.1902', saleAmount: '163.6', lockingDate: '2023-05-05T00:00:00.000000Z',
    merchantSkus: ['99104147967', '99104150039', '99106898030', '99106898040', '99106898090', '99107014510'],
    modifiedDate: '2023-03-07T01:17:09.578311Z',
  }),
  'mixed-2-item-return': scenario({
    commissionId: '32910383', aui: 'aui-mixed-0003', userAmount: '-0.6162', saleAmount: '-31.6', merchantSkus: ['99104150039'],
    createdDate: '2023-03-14T12:19:50.669620Z', modifiedDate: '2023-03-14T12:19:50.669620Z',
  }),
};

describe('Wildfire callback fixtures from the partner documentation', () => {
  it.each(wildfireFixtureNames)('normalises %s into a valid CommissionObserved with the documented figures', (name) => {
    const observation = fixtureObservation(name);
    expect(observation).toMatchObject(expectations[name]);
    expect(observation).toMatchObject({ type: 'CommissionObserved', schemaVersion: 1, source: 'wildfire', channel: 'callback' });
    expect(observation.observedAt).toBe('2024-05-01T12:00:00.000000Z');
    expect(observation.observationId).toMatch(/^wildfire:[0-9a-f]{64}$/);
  });

  it.each(wildfireFixtureNames)('reports %s with its callback id and version next to the observation', (name) => {
    const result = normaliseWildfireCallback(wildfireFixture(name).body, baseContext);
    if (result.kind !== 'commission') throw new Error(`expected a commission: ${JSON.stringify(result)}`);
    expect(result.callbackId).toBe(result.observation.deliveryId);
    expect(result.apiVersion).toBe(result.observation.apiVersion);
  });

  it('keeps the microseconds of a short fraction: item-level-1 was modified at .5251', () => {
    expect(fixtureObservation('item-level-1-item-a').modifiedDate).toBe('2023-03-07T02:57:58.525100Z');
    expect(fixtureObservation('mixed-2-item-return').modifiedDate).toBe('2023-03-14T12:19:50.669620Z');
  });

  it('reads v2 and v3 of commission 12345 as the same commission and the same version', () => {
    const v2 = fixtureObservation('v2-create-pending');
    const v3 = fixtureObservation('v3-create-pending');
    expect([v2.commissionId, v2.userAmount, v2.unit]).toEqual(['12345', '3.211', 'USD']);
    expect([v3.commissionId, v3.userAmount, v3.unit]).toEqual(['12345', '3.211', 'USD']);
    expect(v3.modifiedDate).toBe(v2.modifiedDate);
    // Same source version, so the same id, although the documentation's examples differ in application id.
    expect(v3.observationId).toBe(v2.observationId);
  });

  it('gives the Pascal-case, upper-case resend of a v4 version the same observation id as the original', () => {
    const original = fixtureObservation('v4-create-paid-device-split');
    const resend = fixtureObservation('v4-resend-same-version-pascal');
    expect(resend.observationId).toBe(original.observationId);
    expect(resend.deliveryId).not.toBe(original.deliveryId);
    expect({ ...resend, deliveryId: null }).toEqual({ ...original, deliveryId: null });
  });

  it('gives a newer version of one commission a different observation id', () => {
    const purchase = fixtureObservation('order-level-1-purchase');
    const partialReturn = fixtureObservation('order-level-2-partial-return');
    expect(partialReturn.commissionId).toBe(purchase.commissionId);
    expect(partialReturn.observationId).not.toBe(purchase.observationId);
    expect(compareTimestamps(partialReturn.modifiedDate, purchase.modifiedDate)).toBe(1);
  });

  it('adds up to the per-AUI lifetime figures of the fixtures README (latest version of each commission)', () => {
    const latest = new Map<string, CommissionObserved>();
    for (const name of wildfireFixtureNames) {
      const observation = fixtureObservation(name);
      const previous = latest.get(observation.commissionId);
      if (!previous || compareTimestamps(observation.modifiedDate, previous.modifiedDate) > 0) latest.set(observation.commissionId, observation);
    }
    const lifetime = new Map<string, Decimal>();
    for (const observation of latest.values()) {
      lifetime.set(observation.aui, (lifetime.get(observation.aui) ?? ZERO).plus(new Decimal(observation.userAmount)));
    }
    const figures = Object.fromEntries([...lifetime].map(([aui, total]) => [aui, toDecimalString(total)]));
    expect(figures).toEqual({
      '012345-6780a-bcdef0-12345': '3.211',
      '012345-6780a-bcdef0-74932': '5.7695',
      'aui-order-level-0001': '0.2925',
      'aui-item-level-0002': '1.632',
      'aui-mixed-0003': '2.574',
    });
    expect(lifetime.has(UNATTRIBUTED_AUI)).toBe(false);
  });
});
