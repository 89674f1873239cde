import { CommissionVersion, SimulatedCommission, WildfireStatus } from './commission-history';
import { commissionScale, formatScaled, formatTimestamp, saleScale } from './wire-format';

export const apiVersions = ['v2', 'v3', 'v4'] as const;
export type ApiVersion = (typeof apiVersions)[number];

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === 'string' && (apiVersions as readonly string[]).includes(value);
}

/** What Wildfire writes when there is no adjustment window. */
const noLockingDate = '0001-01-01T00:00:00Z';

/**
 * One version of a commission in the shape of the given API version (see
 * shared/fixtures/wildfire): v2 PascalCase with bare string amounts and `ID`; v3 lower-case keys
 * with `{amount, currency}`; v4 lower-case keys with `amounts[]` and `splitpart`.
 */
export function renderCommission(commission: SimulatedCommission, version: CommissionVersion, apiVersion: ApiVersion): Record<string, unknown> {
  switch (apiVersion) {
    case 'v2':
      return renderV2(commission, version);
    case 'v3':
      return renderV3(commission, version);
    case 'v4':
      return renderV4(commission, version);
    default: {
      const unreachable: never = apiVersion;
      throw new Error(`unhandled API version ${String(unreachable)}`);
    }
  }
}

function renderV2(commission: SimulatedCommission, version: CommissionVersion): Record<string, unknown> {
  return {
    ID: commission.commissionId,
    ApplicationID: commission.applicationId,
    MerchantID: commission.merchantId,
    DeviceID: commission.deviceId,
    SaleAmount: formatScaled(version.saleCents, saleScale),
    Amount: applicationAmountText(commission, version),
    Status: statusBefore4(version.status).toUpperCase(),
    TrackingCode: commission.aui,
    EventDate: formatTimestamp(commission.eventDate),
    CreatedDate: formatTimestamp(commission.created),
    ModifiedDate: formatTimestamp(version.modified),
    MerchantOrderID: commission.merchantOrderId,
    MerchantSKU: commission.merchantSku,
  };
}

/** The fields v3 and v4 name alike, in their order: the ids and the sale. */
function lowerCaseIdsAndSale(commission: SimulatedCommission, version: CommissionVersion): Record<string, unknown> {
  return {
    commissionid: commission.commissionId,
    applicationid: commission.applicationId,
    merchantid: commission.merchantId,
    deviceid: commission.deviceId,
    saleamount: { amount: formatScaled(version.saleCents, saleScale), currency: commission.saleCurrency.toLowerCase() },
  };
}

function renderV3(commission: SimulatedCommission, version: CommissionVersion): Record<string, unknown> {
  return {
    ...lowerCaseIdsAndSale(commission, version),
    amount: { amount: applicationAmountText(commission, version), currency: commission.currency.toLowerCase() },
    status: statusBefore4(version.status),
    trackingcode: commission.aui,
    eventdate: formatTimestamp(commission.eventDate),
    createddate: formatTimestamp(commission.created),
    modifieddate: formatTimestamp(version.modified),
    merchantorderid: commission.merchantOrderId,
    merchantsku: commission.merchantSku,
  };
}

function renderV4(commission: SimulatedCommission, version: CommissionVersion): Record<string, unknown> {
  const currency = commission.currency.toLowerCase();
  const amounts = [{ amount: applicationAmountText(commission, version), currency, splitpart: 'application' }];
  if (version.deviceUnits !== null) amounts.push({ amount: deviceAmountText(commission, version.deviceUnits), currency, splitpart: 'device' });
  return {
    ...lowerCaseIdsAndSale(commission, version),
    amounts,
    status: version.status,
    trackingcode: commission.aui,
    eventdate: formatTimestamp(commission.eventDate),
    lockingdate: commission.lockingDate === null ? noLockingDate : formatTimestamp(commission.lockingDate),
    createddate: formatTimestamp(commission.created),
    modifieddate: formatTimestamp(version.modified),
    merchantorderid: commission.merchantOrderId,
    merchantsku: commission.merchantSku,
  };
}

/** The application split as a decimal string: the one amount v2 and v3 carry. */
export function applicationAmountText(commission: SimulatedCommission, version: CommissionVersion): string {
  return formatScaled(version.applicationUnits, commissionScale, commission.amountFractionDigitsMin);
}

export function deviceAmountText(commission: SimulatedCommission, deviceUnits: number): string {
  return formatScaled(deviceUnits, commissionScale, commission.amountFractionDigitsMin);
}

/** `confirmed` exists from v4 on; earlier versions still report such a commission as pending. */
function statusBefore4(status: WildfireStatus): WildfireStatus {
  return status === 'confirmed' ? 'pending' : status;
}
