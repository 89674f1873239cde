import { checkCommissionObserved, CommissionObserved, PayoutExecuted } from '@earnings/contracts';
import { fromEpochMicros, LedgerEvent, PayoutEvent, toEpochMicros } from '@earnings/domain';
import {
  BalanceEntry,
  balanceOf,
  evolve,
  figuresToStrings,
  initialLedgerState,
  LedgerState,
  recomputeBalances,
} from '..';

const baseMicros = toEpochMicros('2026-03-07T02:57:58.000000Z');

/** A canonical modified date a given number of microseconds after a fixed base. */
export const modifiedAt = (microsAfterBase: number | bigint): string => fromEpochMicros(baseMicros + BigInt(microsAfterBase));

/** A schema-valid observation; the overrides say what the test is about. */
export function observation(overrides: Partial<CommissionObserved> = {}): CommissionObserved {
  const value: CommissionObserved = {
    type: 'CommissionObserved',
    schemaVersion: 1,
    observationId: `obs-${overrides.commissionId ?? 'c1'}-${overrides.modifiedDate ?? modifiedAt(0)}`,
    source: 'wildfire',
    channel: 'api',
    commissionId: 'c1',
    aui: 'aui-1',
    state: 'PENDING',
    sourceStatus: 'pending',
    unit: 'USD',
    userAmount: '10',
    applicationAmount: null,
    paidByNetwork: false,
    saleAmount: null,
    saleCurrency: null,
    applicationId: null,
    merchantId: null,
    deviceId: null,
    merchantOrderId: null,
    merchantSkus: [],
    eventDate: null,
    lockingDate: null,
    createdDate: null,
    modifiedDate: modifiedAt(0),
    deliveryId: null,
    apiVersion: 'v4',
    observedAt: '2026-03-07T03:00:00.000000Z',
    ...overrides,
  };
  const checked = checkCommissionObserved(value);
  if (!checked.ok) throw new Error(`test observation is not schema-valid: ${checked.reason}`);
  return value;
}

export function payout(overrides: Partial<PayoutExecuted> = {}): PayoutExecuted {
  return {
    type: 'PayoutExecuted',
    schemaVersion: 1,
    payoutId: 'payout-1',
    aui: 'aui-1',
    unit: 'USD',
    amount: '1',
    method: 'paypal',
    providerReference: null,
    coveredCommissions: [],
    executedAt: '2026-03-08T00:00:00Z',
    ...overrides,
  };
}

/** Balances as plain strings keyed by balance key, so a failing comparison prints readably. */
export function balancesAsStrings(balances: ReadonlyMap<string, BalanceEntry>): Record<string, Record<string, string>> {
  const keys = [...balances.keys()].sort();
  return Object.fromEntries(keys.map((key) => [key, figuresToStrings(balances.get(key)!.figures)]));
}

export type ExpectedBalance = { aui: string; unit: string } & Partial<Record<keyof ReturnType<typeof figuresToStrings>, string>>;

/**
 * given(history).when(events).then(balances). Besides the balances the test names, `then` checks
 * that the state equals a recomputation from scratch and that one planBatch over the whole
 * sequence yields the same balances: every example doubles as a consistency check.
 */
export function given(...history: LedgerEvent[]) {
  return {
    when(...events: LedgerEvent[]) {
      const everything = [...history, ...events];
      const state = everything.reduce(evolve, initialLedgerState);
      return {
        then(...expected: ExpectedBalance[]): LedgerState {
          for (const { aui, unit, ...figures } of expected) {
            expect({ aui, unit, ...figuresToStrings(balanceOf(state.balances, aui, unit)) }).toMatchObject({ aui, unit, ...figures });
          }
          expectConsistent(state, everything);
          return state;
        },
      };
    },
  };
}

function expectConsistent(state: LedgerState, events: LedgerEvent[]): void {
  const payouts = events.filter((event): event is PayoutEvent => event.type !== 'CommissionObserved');
  expect(balancesAsStrings(state.balances)).toEqual(balancesAsStrings(recomputeBalances(state.commissions.values(), payouts)));
}
