import Decimal from 'decimal.js';
import { latestVersionAt, SimulatedCommission, WildfireStatus } from './commission-history';
import { ApiVersion, applicationAmountText, deviceAmountText } from './record-shapes';

/**
 * The simulator's own truth about user balances, computed straight from its history with
 * decimal.js. It deliberately shares no code with libs/domain: it is what the ledger is checked
 * against, so a bug there must not be copied here.
 */
export interface ExpectedBalance {
  aui: string;
  unit: string;
  lifetime: string;
  pending: string;
  available: string;
  paidByNetwork: string;
  /** How many commissions (latest visible versions) went into the figures. */
  commissions: number;
}

/** One commission as a reader of the given API version would see its latest visible version. */
export interface BalanceInput {
  aui: string;
  unit: string;
  status: WildfireStatus;
  applicationAmount: string;
  /** Null when the partner pays the user (no device split, or an API version without splits). */
  deviceAmount: string | null;
}

/** A private Decimal so settings made elsewhere cannot change these sums; no exponent notation in output. */
const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
type Exact = InstanceType<typeof Exact>;

/** Design choice (DOMAIN.md): without a device split, the user earns this share of the application amount. */
export const userShareDefault = '1';

/** Latest visible version of each commission at `horizonMicros`, as a reader of `apiVersion` would get it. */
export function balanceInputsAt(commissions: readonly SimulatedCommission[], horizonMicros: number, apiVersion: ApiVersion): BalanceInput[] {
  const inputs: BalanceInput[] = [];
  for (const commission of commissions) {
    const version = latestVersionAt(commission, horizonMicros);
    if (version === null) continue;
    // v2 and v3 carry a single amount: the device split only exists on the wire from v4 on.
    const deviceAmount = apiVersion === 'v4' && version.deviceUnits !== null ? deviceAmountText(commission, version.deviceUnits) : null;
    inputs.push({ aui: commission.aui, unit: commission.currency, status: version.status, applicationAmount: applicationAmountText(commission, version), deviceAmount });
  }
  return inputs;
}

/**
 * Per AUI and unit: lifetime excludes disqualified; pending = pending + confirmed + ready;
 * available = paid amounts the partner must pay (no device split); paidByNetwork = paid device
 * splits (Wildfire already paid the user). userAmount = device split when present, else the
 * application amount × the user's share.
 */
export function expectedBalances(inputs: readonly BalanceInput[], userShare: string = userShareDefault): ExpectedBalance[] {
  const share = new Exact(userShare);
  const totals = new Map<string, Totals>();
  for (const input of inputs) addTo(totalsFor(totals, input), input, share);
  return [...totals.values()].sort(byAuiThenUnit).map(toExpectedBalance);
}

interface Totals {
  aui: string;
  unit: string;
  lifetime: Exact;
  pending: Exact;
  available: Exact;
  paidByNetwork: Exact;
  commissions: number;
}

function totalsFor(totals: Map<string, Totals>, input: BalanceInput): Totals {
  const key = `${input.aui}\u0000${input.unit}`;
  let entry = totals.get(key);
  if (entry === undefined) {
    const zero = new Exact(0);
    entry = { aui: input.aui, unit: input.unit, lifetime: zero, pending: zero, available: zero, paidByNetwork: zero, commissions: 0 };
    totals.set(key, entry);
  }
  return entry;
}

function addTo(totals: Totals, input: BalanceInput, share: Exact): void {
  const paidByNetwork = input.deviceAmount !== null;
  const userAmount = paidByNetwork ? new Exact(input.deviceAmount as string) : new Exact(input.applicationAmount).times(share);
  totals.commissions += 1;
  switch (input.status) {
    case 'disqualified':
      return;
    case 'pending':
    case 'confirmed':
    case 'ready':
      totals.pending = totals.pending.plus(userAmount);
      break;
    case 'paid':
      if (paidByNetwork) totals.paidByNetwork = totals.paidByNetwork.plus(userAmount);
      else totals.available = totals.available.plus(userAmount);
      break;
    default: {
      const unreachable: never = input.status;
      throw new Error(`unhandled status ${String(unreachable)}`);
    }
  }
  totals.lifetime = totals.lifetime.plus(userAmount);
}

function byAuiThenUnit(left: Totals, right: Totals): number {
  if (left.aui !== right.aui) return left.aui < right.aui ? -1 : 1;
  return left.unit < right.unit ? -1 : left.unit > right.unit ? 1 : 0;
}

function toExpectedBalance(totals: Totals): ExpectedBalance {
  return {
    aui: totals.aui,
    unit: totals.unit,
    lifetime: totals.lifetime.toString(),
    pending: totals.pending.toString(),
    available: totals.available.toString(),
    paidByNetwork: totals.paidByNetwork.toString(),
    commissions: totals.commissions,
  };
}
