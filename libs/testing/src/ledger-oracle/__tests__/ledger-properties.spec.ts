import { CommissionObserved, CommissionState, CommissionStates, PayoutExecuted } from '@earnings/contracts';
import fc from 'fast-check';
import { commissionKey, Decimal, LedgerEvent, toEpochMicros } from '@earnings/domain';
import { CommissionVersion, evolve, initialLedgerState, recomputeBalances, versionFromObservation } from '..';
import { balancesAsStrings, modifiedAt, observation, payout } from './ledger-test-support';

const auis = ['aui-a', 'aui-b', 'aui-c'];
const units = ['USD', 'EUR', 'credits'];

/** A decimal string with up to five fractional digits, sometimes negative: "-0.00012", "42", "1234.5". */
const decimalString = (minimum: bigint) =>
  fc
    .tuple(fc.bigInt({ min: minimum, max: 10n ** 10n }), fc.integer({ min: 0, max: 5 }))
    .map(([scaled, scale]) => new Decimal(scaled.toString()).dividedBy(new Decimal(10).pow(scale)).toFixed(scale));

const versionFields = fc.record({
  aui: fc.constantFrom(...auis),
  unit: fc.constantFrom(...units),
  userAmount: decimalString(-(10n ** 10n)),
  state: fc.constantFrom(...CommissionStates),
  paidByNetwork: fc.boolean(),
});

/**
 * One commission's versions, each with a distinct modified date. The dates sit within a few
 * milliseconds of each other, so versions often differ only below the millisecond.
 */
const commissionVersions = fc
  .record({
    source: fc.constantFrom('wildfire' as const, 'firstpromoter' as const),
    commissionId: fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8'),
    versions: fc.uniqueArray(fc.record({ micros: fc.integer({ min: 0, max: 5_000 }), fields: versionFields }), {
      minLength: 1,
      maxLength: 4,
      selector: (version) => version.micros,
    }),
  })
  .map(({ source, commissionId, versions }) =>
    versions.map(({ micros, fields }) =>
      observation({ ...fields, source, commissionId, modifiedDate: modifiedAt(micros), observationId: `${source}-${commissionId}-${micros}` }),
    ),
  );

const payouts = fc.uniqueArray(
  fc.record({ payoutId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), aui: fc.constantFrom(...auis), unit: fc.constantFrom(...units), amount: decimalString(0n) }),
  { maxLength: 5, selector: (fields) => fields.payoutId },
);

interface History {
  observations: CommissionObserved[];
  payouts: PayoutExecuted[];
  /** Every event, repeated and reordered: what Kafka replays and overlapping pulls deliver. */
  delivered: LedgerEvent[];
}

const histories: fc.Arbitrary<History> = fc
  .record({
    commissions: fc.uniqueArray(commissionVersions, { maxLength: 10, selector: (versions) => commissionKey(versions[0].source, versions[0].commissionId) }),
    payouts: payouts.map((all) => all.map((fields) => payout(fields))),
  })
  .chain(({ commissions, payouts }) => {
    const observations = commissions.flat();
    const events: LedgerEvent[] = [...observations, ...payouts];
    return fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length })
      .chain((repeats) => {
        const repeated = events.flatMap((event, index) => Array.from({ length: repeats[index] }, () => event));
        return fc.shuffledSubarray(repeated, { minLength: repeated.length, maxLength: repeated.length });
      })
      .map((delivered) => ({ observations, payouts, delivered }));
  });

/** The latest version of each commission: the greatest modified date, whatever order things arrived in. */
function latestVersions(observations: CommissionObserved[]): Map<string, CommissionVersion> {
  const latest = new Map<string, CommissionVersion>();
  for (const version of observations.map(versionFromObservation)) {
    const key = commissionKey(version.source, version.commissionId);
    const current = latest.get(key);
    if (current === undefined || toEpochMicros(version.modifiedDate) > toEpochMicros(current.modifiedDate)) latest.set(key, version);
  }
  return latest;
}

const pendingStates: CommissionState[] = ['PENDING', 'CONFIRMED', 'READY'];

const figureNamesInOrder = ['lifetime', 'pending', 'payable', 'paidByNetwork', 'paidOut', 'reserved', 'pendingReversals'];
const zeroSums = (): Record<string, Decimal> => Object.fromEntries(figureNamesInOrder.map((name) => [name, new Decimal(0)]));

/** The ledger's rules as ARCHITECTURE and the brief state them, written out apart from contributionOf. */
function balancesBySpecification(latest: Iterable<CommissionVersion>, paid: PayoutExecuted[]): Record<string, Record<string, string>> {
  const sums = new Map<string, Record<string, Decimal>>();
  const sumsOf = (aui: string, unit: string) => {
    const key = JSON.stringify([aui, unit]);
    if (!sums.has(key)) sums.set(key, zeroSums());
    return sums.get(key)!;
  };
  for (const version of latest) {
    const figures = sumsOf(version.aui, version.unit);
    const amount = version.userAmount;
    if (version.state !== 'REJECTED') figures.lifetime = figures.lifetime.plus(amount);
    if (pendingStates.includes(version.state)) figures.pending = figures.pending.plus(amount);
    if (pendingStates.includes(version.state) && amount.isNegative()) figures.pendingReversals = figures.pendingReversals.plus(amount);
    if (version.state === 'PAYABLE' && !version.paidByNetwork) figures.payable = figures.payable.plus(amount);
    if (version.state === 'PAYABLE' && version.paidByNetwork) figures.paidByNetwork = figures.paidByNetwork.plus(amount);
  }
  for (const executed of paid) {
    const figures = sumsOf(executed.aui, executed.unit);
    figures.paidOut = figures.paidOut.plus(executed.amount);
  }
  const entries = [...sums.entries()]
    .filter(([, figures]) => Object.values(figures).some((value) => !value.isZero()))
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([key, figures]) => {
      const available = figures.payable.minus(figures.paidOut).minus(figures.reserved);
      const strings = Object.fromEntries(figureNamesInOrder.map((name) => [name, figures[name].toFixed()]));
      return [key, { ...strings, available: available.toFixed() }];
    });
  return Object.fromEntries(entries);
}

describe('ledger properties: balances are a function of the latest versions and the payouts', () => {
  it('any interleaving, with repeats and reordering, through evolve gives the balances of the latest versions', () => {
    fc.assert(
      fc.property(histories, ({ observations, payouts, delivered }) => {
        const state = delivered.reduce(evolve, initialLedgerState);
        const latest = latestVersions(observations);
        const expected = balancesBySpecification(latest.values(), payouts);
        expect(balancesAsStrings(state.balances)).toEqual(expected);
        expect(balancesAsStrings(recomputeBalances(latest.values(), payouts))).toEqual(expected);
        expect(new Map([...state.commissions].map(([key, version]) => [key, version.observationId]))).toEqual(
          new Map([...latest].map(([key, version]) => [key, version.observationId])),
        );
        expect([...state.payouts.keys()].sort()).toEqual([...new Set(payouts.map((executed) => executed.payoutId))].sort());
      }),
      { numRuns: 300 },
    );
  });
});
