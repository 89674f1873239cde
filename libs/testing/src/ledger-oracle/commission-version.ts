import { CommissionObserved, CommissionState } from '@earnings/contracts';
import { canonicalTimestamp, commissionKey, Decimal, parseDecimal, toEpochMicros } from '@earnings/domain';
import { BalanceFigures, figuresWith, zeroFigures } from './balance-figures';

/** The latest version of one commission, as the ledger keeps it: only what balances and dedupe need. */
export interface CommissionVersion {
  source: string;
  commissionId: string;
  aui: string;
  unit: string;
  userAmount: Decimal;
  state: CommissionState;
  paidByNetwork: boolean;
  /** The merchant order it belongs to (JSON of source, merchant id, order id), or null: what a pending return withholds depends on its order. */
  orderKey: string | null;
  /** Canonical (six fractional digits, UTC); compared with toEpochMicros, never as a string. */
  modifiedDate: string;
  /** The observation this version came from, for the audit trail. */
  observationId: string;
}

export type VersionDuplicateReason = 'stale-version' | 'same-version';

export type VersionDecision = { applied: true; version: CommissionVersion } | { applied: false; reason: VersionDuplicateReason };

export function commissionKeyOf(version: Pick<CommissionVersion, 'source' | 'commissionId'>): string {
  return commissionKey(version.source, version.commissionId);
}

export function versionFromObservation(observation: CommissionObserved): CommissionVersion {
  const userAmount = parseDecimal(observation.userAmount);
  // The projector validates every message against the schema first, so this is a programmer error.
  if (userAmount === null) throw new RangeError(`observation ${observation.observationId} has a non-decimal userAmount`);
  return {
    source: observation.source,
    commissionId: observation.commissionId,
    aui: observation.aui,
    unit: observation.unit,
    userAmount,
    state: observation.state,
    paidByNetwork: observation.paidByNetwork,
    orderKey: observation.merchantOrderId === null ? null : JSON.stringify([observation.source, observation.merchantId ?? '', observation.merchantOrderId]),
    modifiedDate: canonicalTimestamp(observation.modifiedDate),
    observationId: observation.observationId,
  };
}

/**
 * Whether an observation supersedes the stored version. Only a strictly newer modified time
 * applies: sources resend the same version (callbacks and API pulls overlap), and an older one
 * may arrive late; neither may change a balance.
 */
export function decideVersion(stored: CommissionVersion | undefined, observation: CommissionObserved): VersionDecision {
  if (stored !== undefined) {
    const difference = toEpochMicros(observation.modifiedDate) - toEpochMicros(stored.modifiedDate);
    if (difference === 0n) return { applied: false, reason: 'same-version' };
    if (difference < 0n) return { applied: false, reason: 'stale-version' };
  }
  return { applied: true, version: versionFromObservation(observation) };
}

/**
 * What one latest version adds to the balance of its (aui, unit) by itself. A pending negative
 * amount of a merchant order withholds nothing here: its order decides (orderWithheldOf).
 */
export function contributionOf(version: Pick<CommissionVersion, 'state' | 'userAmount' | 'paidByNetwork' | 'orderKey'>): BalanceFigures {
  const amount = version.userAmount;
  switch (version.state) {
    case 'REJECTED':
      return zeroFigures;
    case 'PENDING':
    case 'CONFIRMED':
    case 'READY':
      // A negative amount not yet settled, of no order, is a known reversal payouts withhold in full.
      return { ...zeroFigures, lifetime: amount, pending: amount, pendingReversals: amount.isNegative() && version.orderKey === null ? amount : zeroFigures.pendingReversals };
    case 'PAYABLE':
      // The network already paid a device split to the user: the partner must never pay it again.
      return { ...figuresWith(version.paidByNetwork ? 'paidByNetwork' : 'payable', amount), lifetime: amount };
    default: {
      const unreachable: never = version.state;
      throw new Error(`unknown commission state ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * What one merchant order withholds for its returns not settled yet: its pending negative amounts,
 * never more than the order made payable (payable, not network-paid). 0 or less.
 */
export function orderWithheldOf(versions: readonly Pick<CommissionVersion, 'state' | 'userAmount' | 'paidByNetwork'>[]): Decimal {
  let payable = new Decimal(0);
  let pendingNegative = new Decimal(0);
  for (const version of versions) {
    if (version.state === 'PAYABLE' && !version.paidByNetwork) payable = payable.plus(version.userAmount);
    if (['PENDING', 'CONFIRMED', 'READY'].includes(version.state) && version.userAmount.isNegative()) pendingNegative = pendingNegative.plus(version.userAmount);
  }
  return Decimal.max(pendingNegative, Decimal.max(payable, 0).negated());
}
