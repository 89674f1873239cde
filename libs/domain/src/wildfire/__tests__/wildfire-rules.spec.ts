import { CommissionStates, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { wildfireFixture } from '@earnings/testing';
import { Decimal } from '../../money/decimal';
import { parseExactJson } from '../exact-json';
import { FULL_USER_SHARE } from '../user-share';
import { normaliseWildfireCommission } from '../wildfire-commission';
import { wildfireStateOf } from '../wildfire-status';
import { WildfireCommissionContext, WildfireInvalid, WildfireNormaliseContext } from '../wildfire-types';
import {
  baseContext, expectValidObservation, fixtureJson, fixtureObservation, normaliseBody, observationOf, v4Body, v4BodyWithout,
} from './wildfire-test-support';

function withShares(defaultShare: string, byApplicationId: Record<string, string> = {}): WildfireNormaliseContext {
  const shares = new Map(Object.entries(byApplicationId).map(([id, share]) => [id, new Decimal(share)]));
  return { ...baseContext, userShare: { defaultShare: new Decimal(defaultShare), byApplicationId: shares } };
}

function invalidOf(body: string | Buffer): WildfireInvalid {
  const result = normaliseBody(body);
  if (result.kind !== 'invalid') throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  expect(result.message).toContain(result.field ?? '');
  return result;
}

/** The raw text of a fixture with one piece replaced, for bodies JSON.stringify could not write (exact numbers). */
function editedFixture(name: string, from: string, to: string): string {
  const text = wildfireFixture(name).body.toString('utf8');
  expect(text).toContain(from);
  return text.replace(from, to);
}

const applicationOnlySplit = [{ amount: '2.88475', currency: 'usd', splitpart: 'application' }];

describe('the user share of the application amount', () => {
  it('halves the application amount for an application configured at 0.5', () => {
    const observation = fixtureObservation('order-level-1-purchase', withShares('1', { '104': '0.5' }));
    expect(observation).toMatchObject({ userAmount: '0.625', applicationAmount: '1.25', paidByNetwork: false });
  });

  it('never applies the share to a device split, which is already the user amount', () => {
    const observation = fixtureObservation('v4-create-paid-device-split', withShares('0.5', { '0': '0.5' }));
    expect(observation).toMatchObject({ userAmount: '5.7695', applicationAmount: '2.88475', paidByNetwork: true });
  });

  it('keeps full precision (no rounding) and uses the default share for other applications', () => {
    const body = v4Body({ amounts: applicationOnlySplit, status: 'pending' });
    expect(observationOf(body, withShares('0.5', { '156': '0.25' })).userAmount).toBe('1.442375');
    expect(observationOf(body, withShares('1', { '0': '0.3' })).userAmount).toBe('0.865425');
  });

  it('applies the share to a negative (returned) amount too', () => {
    expect(fixtureObservation('item-level-3-return-item-b', withShares('0.5')).userAmount).toBe('-1.308');
  });

  it('refuses a share outside [0, 1] as a configuration error', () => {
    const body = wildfireFixture('order-level-1-purchase').body;
    expect(() => normaliseBody(body, withShares('1.5'))).toThrow(RangeError);
    expect(() => normaliseBody(body, withShares('1', { '104': '-0.1' }))).toThrow(RangeError);
  });
});

describe('refused callbacks', () => {
  it('answers malformed-json for a body that is not JSON, without echoing the body', () => {
    const result = invalidOf('{"ID":"secret-value", "Type": ');
    expect(result).toMatchObject({ kind: 'invalid', code: 'malformed-json' });
    expect(result.message).not.toContain('secret-value');
  });

  it('answers malformed-json for bytes that are not UTF-8, for JSON that is not an object, and for a repeated member', () => {
    expect(invalidOf(Buffer.from([0x7b, 0xff, 0x7d])).code).toBe('malformed-json');
    expect(invalidOf('[1,2]').code).toBe('malformed-json');
    expect(invalidOf('').code).toBe('malformed-json');
    expect(invalidOf('{"ID":"a","ID":"b","Type":"commission"}').code).toBe('malformed-json');
  });

  it('answers missing-field Payload when the envelope has no payload', () => {
    const { payload: _payload, ...envelope } = fixtureJson('v4-create-paid-device-split');
    expect(invalidOf(JSON.stringify(envelope))).toMatchObject({ code: 'missing-field', field: 'Payload' });
    expect(invalidOf(JSON.stringify({ ...envelope, payload: null }))).toMatchObject({ code: 'missing-field', field: 'Payload' });
    expect(invalidOf(JSON.stringify({ ...envelope, payload: 'x' }))).toMatchObject({ code: 'invalid-field', field: 'Payload' });
  });

  it('answers missing-field Payload.ModifiedDate, naming the documented field', () => {
    const result = invalidOf(v4BodyWithout('modifieddate'));
    expect(result).toMatchObject({ code: 'missing-field', field: 'Payload.ModifiedDate' });
    expect(result.message).toContain('Payload.ModifiedDate');
  });

  it('answers invalid-field Payload.Status for an unknown status, without echoing it', () => {
    const result = invalidOf(v4Body({ status: 'on-hold-xyz' }));
    expect(result).toMatchObject({ code: 'invalid-field', field: 'Payload.Status' });
    expect(result.message).not.toContain('on-hold-xyz');
  });

  it('answers not-a-commission for another callback type, keeping its id and type as sent', () => {
    const body = JSON.stringify({ ID: 'cb-1', Type: 'Merchant', Action: 'update', Payload: { anything: true } });
    expect(normaliseBody(body)).toEqual({ kind: 'not-a-commission', callbackId: 'cb-1', callbackType: 'Merchant' });
    expect(normaliseBody('{"type":"device"}')).toEqual({ kind: 'not-a-commission', callbackId: null, callbackType: 'device' });
  });

  it('matches the commission type in any letter case', () => {
    expect(normaliseBody(v4Body({}, { type: 'COMMISSION' })).kind).toBe('commission');
  });

  it('names each other missing required field', () => {
    expect(invalidOf(v4Body({}, { type: null }))).toMatchObject({ code: 'missing-field', field: 'Type' });
    expect(invalidOf(v4BodyWithout('commissionid'))).toMatchObject({ code: 'missing-field', field: 'Payload.CommissionID' });
    expect(invalidOf(v4BodyWithout('status'))).toMatchObject({ code: 'missing-field', field: 'Payload.Status' });
    expect(invalidOf(v4Body({ status: '  ' }))).toMatchObject({ code: 'missing-field', field: 'Payload.Status' });
    expect(invalidOf(v4BodyWithout('amounts'))).toMatchObject({ code: 'missing-field', field: 'Payload.Amount' });
    expect(invalidOf(v4Body({ amounts: [] }))).toMatchObject({ code: 'missing-field', field: 'Payload.Amounts' });
    const v2 = fixtureJson('v2-create-pending');
    const { ID: _commissionId, ...v2Payload } = v2.Payload as Record<string, unknown>;
    expect(invalidOf(JSON.stringify({ ...v2, Payload: v2Payload }))).toMatchObject({ code: 'missing-field', field: 'Payload.ID' });
  });

  it('refuses values it cannot read, naming the field', () => {
    expect(invalidOf(v4Body({ modifieddate: '2023-02-30T00:00:00Z' }))).toMatchObject({ code: 'invalid-field', field: 'Payload.ModifiedDate' });
    expect(invalidOf(v4Body({ eventdate: 'yesterday' }))).toMatchObject({ code: 'invalid-field', field: 'Payload.EventDate' });
    expect(invalidOf(v4Body({ amounts: [{ amount: '1,5', currency: 'usd', splitpart: 'application' }] })))
      .toMatchObject({ code: 'invalid-field', field: 'Payload.Amounts[0].Amount' });
    expect(invalidOf(v4Body({ amounts: [{ amount: '1', currency: 'usd', splitpart: 'referrer' }] })))
      .toMatchObject({ code: 'invalid-field', field: 'Payload.Amounts[0].SplitPart' });
    expect(invalidOf(v4Body({ amounts: [{ amount: '1', currency: 'usd' }] })))
      .toMatchObject({ code: 'missing-field', field: 'Payload.Amounts[0].SplitPart' });
    expect(invalidOf(v4Body({ amounts: [...applicationOnlySplit, ...applicationOnlySplit] })))
      .toMatchObject({ code: 'invalid-field', field: 'Payload.Amounts' });
    expect(invalidOf(v4Body({ amounts: [...applicationOnlySplit, { amount: '1', currency: 'eur', splitpart: 'device' }] })))
      .toMatchObject({ code: 'invalid-field', field: 'Payload.Amounts[1].Currency' });
    expect(invalidOf(v4Body({ commissionid: 1.5 }))).toMatchObject({ code: 'invalid-field', field: 'Payload.CommissionID' });
    expect(invalidOf(v4Body({ amounts: 'many' }))).toMatchObject({ code: 'invalid-field', field: 'Payload.Amounts' });
  });

  it('refuses a field spelled twice in different letter case: two values for one field are ambiguous', () => {
    expect(invalidOf(v4Body({ Status: 'pending' }))).toMatchObject({ code: 'invalid-field', field: 'Payload.Status' });
  });
});

describe('the AUI (TrackingCode)', () => {
  it.each([
    ['empty', ''],
    ['null', null],
  ])('keeps a commission with a %s TrackingCode under UNATTRIBUTED_AUI', (_case, trackingCode) => {
    expect(observationOf(v4Body({ trackingcode: trackingCode })).aui).toBe(UNATTRIBUTED_AUI);
  });

  it('keeps a commission without a TrackingCode key under UNATTRIBUTED_AUI, never dropping it', () => {
    expect(observationOf(v4BodyWithout('trackingcode')).aui).toBe(UNATTRIBUTED_AUI);
  });

  it('reads a numeric tracking code as its text', () => {
    expect(observationOf(editedFixture('v4-create-paid-device-split', '"012345-6780a-bcdef0-74932"', '23452')).aui).toBe('23452');
  });

  it.each([
    ['surrounding blanks, never trimmed into another user', ' user-7 ', '" user-7 "'],
    ['only blanks, never read as absent', '   ', '"   "'],
    ['the reserved "~" prefix of the ledger\'s own owners', '~unattributed', '"~unattributed"'],
    ['a NUL', 'user\u00007', '"user\\u00007"'],
    ['a lone surrogate', 'user\ud8007', '"user\\ud8007"'],
    ['a right-to-left override', 'user\u202e7', '"user\\u202e7"'],
    ['a no-break space', '\u00a0user-7', '"\\u00a0user-7"'],
    ['201 characters', 'u'.repeat(201), `"${'u'.repeat(200)}"… (201 characters in all)`],
    ['an object', { nested: true }, '{"nested":true}'],
  ])('books a commission whose TrackingCode has %s under UNATTRIBUTED_AUI, with the code as sent', (_case, trackingCode, asSent) => {
    const result = normaliseBody(v4Body({ trackingcode: trackingCode }));
    if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
    expectValidObservation(result.observation);
    expect(result.observation).toMatchObject({ aui: UNATTRIBUTED_AUI, trackingCodeAsSent: asSent, userAmount: '5.7695', state: 'PAYABLE' });
    expect(result.cleanings).toEqual([{ field: 'TrackingCode', changes: ['unattributed'] }]);
  });

  it('gives back the exact code from the literal, for a code of at most 200 characters', () => {
    for (const code of [' user-7 ', 'user\u00007', 'user\ud8007', 'a"b\\c\u202e', '\ud83d\ude00 x\u2066']) {
      const observation = observationOf(v4Body({ trackingcode: code }));
      expect(JSON.parse(observation.trackingCodeAsSent as string)).toBe(code);
    }
  });

  it('keeps no code as sent for a usable AUI, or for none at all', () => {
    expect(observationOf(v4Body({ trackingcode: 'user-7' }))).not.toHaveProperty('trackingCodeAsSent');
    expect(observationOf(v4Body({ trackingcode: '' }))).not.toHaveProperty('trackingCodeAsSent');
  });
});

describe('metadata never refuses a record: it is cleaned for display and counted', () => {
  const money = { commissionId: '775109', state: 'PAYABLE', userAmount: '5.7695', unit: 'USD', aui: '012345-6780a-bcdef0-74932' };
  const skus = (count: number) => Array.from({ length: count }, (_, index) => String(15_406_000 + index));

  it.each([
    ['a MerchantSKU with a trailing space', { merchantsku: '15406898 ' }, { merchantSkus: ['15406898'] }, [{ field: 'MerchantSKU', changes: ['trimmed'] }]],
    ['a list of 101 SKUs', { merchantsku: skus(101).join(',') }, { merchantSkus: skus(100) }, [{ field: 'MerchantSKU', changes: ['shortened'] }]],
    ['a MerchantOrderID holding U+200E', { merchantorderid: '\u200e1234582725' }, { merchantOrderId: '1234582725' }, [{ field: 'MerchantOrderID', changes: ['removed-characters'] }]],
    ['a MerchantOrderID holding a NUL', { merchantorderid: '12345\u000082725' }, { merchantOrderId: '1234582725' }, [{ field: 'MerchantOrderID', changes: ['removed-characters'] }]],
    ['a MerchantOrderID of only control characters', { merchantorderid: '\u0000\u0001' }, { merchantOrderId: null }, [{ field: 'MerchantOrderID', changes: ['removed-characters'] }]],
    ['a 10,000-character MerchantOrderID', { merchantorderid: 'o'.repeat(10_000) }, { merchantOrderId: 'o'.repeat(200) }, [{ field: 'MerchantOrderID', changes: ['shortened'] }]],
    ['a DeviceID that is an object', { deviceid: { id: 1 } }, { deviceId: null }, [{ field: 'DeviceID', changes: ['unreadable'] }]],
    ['a MerchantID with blanks and a bidi isolate', { merchantid: ' 5590587\u2066 ' }, { merchantId: '5590587' }, [{ field: 'MerchantID', changes: ['removed-characters', 'trimmed'] }]],
    ['a sale amount of 1E400', { saleamount: { amount: '1E400', currency: 'usd' } }, { saleAmount: null, saleCurrency: null }, [{ field: 'SaleAmount', changes: ['unreadable'] }]],
    ['a SKU list with a lone surrogate', { merchantsku: 'a,\udc00' }, { merchantSkus: ['a'] }, [{ field: 'MerchantSKU', changes: ['removed-characters'] }]],
  ] as [string, Record<string, unknown>, Record<string, unknown>, unknown[]][])('books the money of a record with %s', (_case, payload, expected, cleanings) => {
    const result = normaliseBody(v4Body(payload));
    if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
    expectValidObservation(result.observation);
    expect(result.observation).toMatchObject({ ...money, ...expected });
    expect(result.cleanings).toEqual(cleanings);
    // The same version of the same commission, whatever its metadata: consumers drop it as a repeat.
    expect(result.observation.observationId).toBe(fixtureObservation('v4-create-paid-device-split').observationId);
  });

  it('reads a callback ID it has to clean, or a missing one, as the delivery id it can keep', () => {
    const { id: _id, ...withoutId } = fixtureJson('v4-create-paid-device-split');
    expect(normaliseBody(JSON.stringify(withoutId))).toMatchObject({ kind: 'commission', callbackId: null, observation: { deliveryId: null, userAmount: '5.7695' } });
    const result = normaliseBody(v4Body({}, { id: 'callback\u0000-1' }));
    expect(result).toMatchObject({ kind: 'commission', callbackId: 'callback-1', observation: { deliveryId: 'callback-1' }, cleanings: [{ field: 'ID', changes: ['removed-characters'] }] });
  });

  it('looks the user share up by the cleaned ApplicationID', () => {
    const shares = withShares('1', { '156': '0.5' });
    const body = v4Body({ applicationid: ' 156 ', amounts: applicationOnlySplit });
    expect(observationOf(body, shares)).toMatchObject({ applicationId: '156', userAmount: '1.442375' });
  });

  it('drops a field spelled twice with different values, and reports nothing for clean metadata', () => {
    const result = normaliseBody(v4Body({ MerchantOrderID: 'a', merchantorderid: 'b' }));
    expect(result).toMatchObject({ kind: 'commission', observation: { merchantOrderId: null }, cleanings: [{ field: 'MerchantOrderID', changes: ['unreadable'] }] });
    expect(normaliseBody(v4Body({}))).toMatchObject({ kind: 'commission', cleanings: [] });
  });
});

describe('statuses', () => {
  it.each([
    ['pending', 'PENDING'], ['PENDING', 'PENDING'], ['Confirmed', 'CONFIRMED'], ['ready', 'READY'],
    ['paid', 'PAYABLE'], ['PAID', 'PAYABLE'], ['disqualified', 'REJECTED'], [' Disqualified ', 'REJECTED'],
  ])('maps %s to %s', (status, state) => {
    expect(wildfireStateOf(status)).toBe(state);
    expect(CommissionStates).toContain(state);
  });

  it.each(['', 'approved', 'cancelled', 'pend'])('knows no state for %j', (status) => {
    expect(wildfireStateOf(status)).toBeNull();
  });

  it('keeps the source status lower-cased', () => {
    expect(observationOf(v4Body({ status: 'Ready' }))).toMatchObject({ state: 'READY', sourceStatus: 'ready' });
  });
});

describe('amounts, currencies, dates and ids', () => {
  it('keeps an amount sent as a JSON number exactly as written, even beyond float precision', () => {
    const body = editedFixture('v4-create-paid-device-split', '"amount":"5.7695"', '"amount":123456789012345678.000000000001');
    expect(observationOf(body).userAmount).toBe('123456789012345678.000000000001');
    const exponent = editedFixture('v4-create-paid-device-split', '"amount":"5.7695"', '"amount":1.5e-3');
    expect(normaliseBody(exponent)).toMatchObject({ kind: 'invalid', field: 'Payload.Amounts[1].Amount', message: expect.stringContaining('no exponent') });
  });

  it('keeps a commission id beyond 2^53 exact', () => {
    const body = editedFixture('v4-create-paid-device-split', '"commissionid":775109', '"commissionid":12345678901234567890');
    expect(observationOf(body).commissionId).toBe('12345678901234567890');
  });

  it('uses the configured default currency for v2, upper-cased, and leaves the v2 sale currency unknown', () => {
    const observation = fixtureObservation('v2-create-pending', { ...baseContext, defaultCurrency: 'eur' });
    expect(observation).toMatchObject({ unit: 'EUR', saleAmount: '321', saleCurrency: null });
    expect(() => fixtureObservation('v2-create-pending', { ...baseContext, defaultCurrency: 'dollars' })).toThrow(RangeError);
  });

  it('falls back to the default currency when a v4 split carries none', () => {
    const body = v4Body({ amounts: [{ amount: '1.25', splitpart: 'application' }] });
    expect(observationOf(body, { ...baseContext, defaultCurrency: 'CAD' })).toMatchObject({ unit: 'CAD', userAmount: '1.25' });
  });

  it('reports a device split without an application split as the user amount', () => {
    const observation = observationOf(v4Body({ amounts: [{ amount: '0.5', currency: 'usd', splitpart: 'device' }] }));
    expect(observation).toMatchObject({ userAmount: '0.5', applicationAmount: null, paidByNetwork: true });
  });

  it('converts zone offsets to UTC, reads the zero time as no date, and keeps seven-digit fractions to the microsecond', () => {
    const observation = observationOf(v4Body({
      eventdate: '2023-03-04T23:04:00+02:00', lockingdate: '0001-01-01T00:00:00Z', modifieddate: '2023-03-07T02:57:58.1234567Z', createddate: '',
    }));
    expect(observation).toMatchObject({
      eventDate: '2023-03-04T21:04:00.000000Z', lockingDate: null, modifiedDate: '2023-03-07T02:57:58.123456Z', createdDate: null,
    });
  });

  it('splits SKU lists, drops blank order ids, and reads missing ids as null', () => {
    const observation = observationOf(v4Body({ merchantsku: 'a1, ,b2 ,,', merchantorderid: '', deviceid: null, merchantid: '' }));
    expect(observation).toMatchObject({ merchantSkus: ['a1', 'b2'], merchantOrderId: null, deviceId: null, merchantId: null });
    expect(observationOf(v4Body({ merchantsku: 42 })).merchantSkus).toEqual(['42']);
  });

  it('reads a sale without an amount as no sale at all', () => {
    expect(observationOf(v4BodyWithout('saleamount'))).toMatchObject({ saleAmount: null, saleCurrency: null });
    expect(observationOf(v4Body({ saleamount: { currency: 'usd' } }))).toMatchObject({ saleAmount: null, saleCurrency: null });
  });

  it('ignores the letter case of nested field names', () => {
    const body = v4Body({ AMOUNTS: [{ AMOUNT: '1.1', CURRENCY: 'Usd', SPLITPART: 'Application' }], amounts: undefined });
    expect(observationOf(body)).toMatchObject({ userAmount: '1.1', unit: 'USD', paidByNetwork: false });
  });
});

describe('Commission API records (shared with the sync)', () => {
  const apiContext: WildfireCommissionContext = { ...baseContext, channel: 'api', apiVersion: 'v4', deliveryId: null };
  const v4Payload = (): Record<string, unknown> => fixtureJson('v4-create-paid-device-split').payload as Record<string, unknown>;

  it('gives the same observation id as the callback of the same version', () => {
    const result = normaliseWildfireCommission(v4Payload(), apiContext);
    if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
    expectValidObservation(result.observation);
    expect(result.observation).toMatchObject({ channel: 'api', deliveryId: null, apiVersion: 'v4', userAmount: '5.7695' });
    expect(result.observation.observationId).toBe(fixtureObservation('v4-create-paid-device-split').observationId);
  });

  it('reports the URL version it was given but still parses by shape', () => {
    const result = normaliseWildfireCommission(v4Payload(), { ...apiContext, apiVersion: 'v3' });
    expect(result).toMatchObject({ kind: 'commission', apiVersion: 'v3', observation: { apiVersion: 'v3', userAmount: '5.7695', paidByNetwork: true } });
  });

  it('reads records of an API page parsed with parseExactJson, numbers exact', () => {
    const page = parseExactJson('{"Commissions":[{"CommissionID":98765432109876543210,"Amounts":[{"Amount":123456789012345678.000000000001,"Currency":"USD","SplitPart":"application"}],"Status":"pending","TrackingCode":"u","ModifiedDate":"2024-01-01T00:00:00Z"}],"NextCursor":""}');
    const [record] = (page as { Commissions: unknown[] }).Commissions;
    const result = normaliseWildfireCommission(record, apiContext);
    expect(result).toMatchObject({ kind: 'commission', observation: { commissionId: '98765432109876543210', userAmount: '123456789012345678.000000000001' } });
  });

  it('names fields without the Payload prefix, or under the given path', () => {
    const { status: _status, ...withoutStatus } = v4Payload();
    expect(normaliseWildfireCommission(withoutStatus, apiContext)).toMatchObject({ code: 'missing-field', field: 'Status' });
    expect(normaliseWildfireCommission(withoutStatus, { ...apiContext, fieldPath: 'Commissions[3]' }))
      .toMatchObject({ code: 'missing-field', field: 'Commissions[3].Status', message: expect.stringContaining('Commissions[3].Status') });
    expect(normaliseWildfireCommission([], apiContext)).toMatchObject({ kind: 'invalid', code: 'invalid-field' });
  });

  it('refuses an id that JSON.parse may already have rounded', () => {
    const record = { ...v4Payload(), commissionid: 2 ** 60 };
    expect(normaliseWildfireCommission(record, apiContext)).toMatchObject({ code: 'invalid-field', field: 'CommissionID' });
  });

  it('accepts plain JS numbers for amounts from a JSON.parse caller', () => {
    const record = { ...v4Payload(), amounts: [{ amount: -2.616, currency: 'usd', splitpart: 'application' }] };
    expect(normaliseWildfireCommission(record, { ...apiContext, userShare: FULL_USER_SHARE }))
      .toMatchObject({ observation: { userAmount: '-2.616', paidByNetwork: false } });
  });
});
