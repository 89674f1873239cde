import { CommissionObserved, CommissionState } from '@earnings/contracts';
import { Decimal, toDecimalString } from '../money/decimal';
import { canonicalTimestamp } from '../time/source-timestamp';
import { FieldReader, isJsonObject, problem, WildfireRecordProblem } from './field-reader';
import { wildfireObservationId } from './observation-id';
import { assertUserSharePolicy, userShareFor } from './user-share';
import { configuredCurrency, readMoney, shapeOf, WildfireMoney } from './wildfire-amounts';
import { Cleanings, readAttribution, readMerchantSkus, readMetadataText, readSale } from './wildfire-metadata';
import { wildfireStateOf } from './wildfire-status';
import { WildfireApiVersion, WildfireCommission, WildfireCommissionContext, WildfireInvalid } from './wildfire-types';

/**
 * One Wildfire commission record (a callback's Payload, or one element of the Commission API's
 * `Commissions` array) as a CommissionObserved. Pure: no I/O, no clock. Never throws for bad data
 * (that is a `WildfireInvalid`); throws only for bad configuration (share, currency, observedAt).
 */
export function normaliseWildfireCommission(record: unknown, context: WildfireCommissionContext): WildfireCommission | WildfireInvalid {
  assertUserSharePolicy(context.userShare);
  try {
    return observe(record, context);
  } catch (error) {
    if (error instanceof WildfireRecordProblem) return error.invalid;
    throw error;
  }
}

function observe(record: unknown, context: WildfireCommissionContext): WildfireCommission {
  const payload = payloadReader(record, context);
  const cleanings = new Cleanings();
  const shape = shapeOf(payload);
  const { trackingCodeAsSent, ...identity } = readIdentity(payload, shape ?? context.apiVersion, cleanings);
  const amountShape = shape ?? missingAmount(payload, context.apiVersion);
  const { unit, userAmount, ...earning } = readEarning(payload, amountShape, context, cleanings);
  const apiVersion = context.apiVersion ?? amountShape;
  const identified = { source: 'wildfire' as const, ...identity, unit, userAmount };
  const observation: CommissionObserved = {
    type: 'CommissionObserved',
    schemaVersion: 1,
    observationId: wildfireObservationId(identified),
    channel: context.channel,
    ...identified,
    ...earning,
    ...readSale(payload, cleanings),
    ...readReferences(payload, cleanings),
    ...readOptionalDates(payload),
    deliveryId: context.deliveryId,
    apiVersion,
    observedAt: canonicalTimestamp(context.observedAt),
    // Only when the code could not be an AUI: support attributes the commission by it.
    ...(trackingCodeAsSent === null ? {} : { trackingCodeAsSent }),
  };
  return { kind: 'commission', apiVersion, observation, cleanings: cleanings.list };
}

function payloadReader(record: unknown, context: WildfireCommissionContext): FieldReader {
  const path = context.fieldPath ?? (context.channel === 'callback' ? 'Payload' : '');
  if (!isJsonObject(record)) problem('invalid-field', path || 'the commission record', 'must be a JSON object');
  return new FieldReader(record, path);
}

/** The fields that say which commission, which version and whose: checked first, in the documented order. */
function readIdentity(payload: FieldReader, version: WildfireApiVersion | undefined | null, cleanings: Cleanings) {
  const commissionId = payload.requiredId(commissionIdField(payload, version));
  const status = readStatus(payload);
  const { aui, trackingCodeAsSent } = readAttribution(payload, cleanings);
  return { commissionId, ...status, aui, modifiedDate: payload.requiredTimestamp('ModifiedDate'), trackingCodeAsSent };
}

function readEarning(payload: FieldReader, shape: WildfireApiVersion, context: WildfireCommissionContext, cleanings: Cleanings) {
  const money = readMoney(payload, shape, configuredCurrency(context.defaultCurrency));
  // The share is looked up by the cleaned id: configured application ids are plain numbers.
  const applicationId = readMetadataText(payload, 'ApplicationID', cleanings);
  const earning = userEarning(money, userShareFor(context.userShare, applicationId));
  return {
    unit: money.unit,
    userAmount: toDecimalString(earning.userAmount),
    applicationAmount: decimalStringOrNull(money.applicationAmount),
    paidByNetwork: earning.paidByNetwork,
    applicationId,
  };
}

function readReferences(payload: FieldReader, cleanings: Cleanings): Pick<CommissionObserved, 'merchantId' | 'deviceId' | 'merchantOrderId' | 'merchantSkus'> {
  return {
    merchantId: readMetadataText(payload, 'MerchantID', cleanings),
    deviceId: readMetadataText(payload, 'DeviceID', cleanings),
    merchantOrderId: readMetadataText(payload, 'MerchantOrderID', cleanings),
    merchantSkus: readMerchantSkus(payload, cleanings),
  };
}

function readOptionalDates(payload: FieldReader): Pick<CommissionObserved, 'eventDate' | 'lockingDate' | 'createdDate'> {
  return {
    eventDate: payload.optionalTimestamp('EventDate'),
    lockingDate: payload.optionalTimestamp('LockingDate'),
    createdDate: payload.optionalTimestamp('CreatedDate'),
  };
}

/** v3+ name the commission id `CommissionID`, v2 `ID`; whichever is present is used. */
function commissionIdField(payload: FieldReader, version: WildfireApiVersion | undefined | null): string {
  if (payload.has('CommissionID')) return 'CommissionID';
  if (payload.has('ID')) return 'ID';
  return version === 'v2' ? 'ID' : 'CommissionID';
}

function missingAmount(payload: FieldReader, version: WildfireApiVersion | undefined): never {
  const field = version === 'v4' ? 'Amounts' : 'Amount';
  return problem('missing-field', payload.nameOf(field), 'is missing (v2 and v3 send Amount, v4 sends Amounts)');
}

function readStatus(payload: FieldReader): { state: CommissionState; sourceStatus: string } {
  const sourceStatus = payload.requiredText('Status').toLowerCase();
  const state = wildfireStateOf(sourceStatus);
  if (state === null) problem('invalid-field', payload.nameOf('Status'), 'is not one of pending, confirmed, ready, paid, disqualified');
  return { state, sourceStatus };
}

/**
 * A device split is Wildfire paying the user on the partner's behalf: it is the user's amount and
 * must never be paid out again. Otherwise the partner pays, and the user earns their configured
 * share of the application amount (full precision; rounding happens only when money leaves).
 */
function userEarning(money: WildfireMoney, share: Decimal): { userAmount: Decimal; paidByNetwork: boolean } {
  if (money.deviceAmount !== null) return { userAmount: money.deviceAmount, paidByNetwork: true };
  // readMoney guarantees an application amount whenever there is no device split.
  const applicationAmount = money.applicationAmount as Decimal;
  return { userAmount: applicationAmount.times(share), paidByNetwork: false };
}

function decimalStringOrNull(value: Decimal | null): string | null {
  return value === null ? null : toDecimalString(value);
}
