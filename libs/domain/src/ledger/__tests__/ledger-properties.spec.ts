import { CommissionObserved, CommissionState, CommissionStates, PayoutExecuted } from '@earnings/contracts';
import fc from 'fast-check';
import { Decimal } from '../../money/decimal';
import { toEpochMicros } from '../../time/source-timestamp';
import {
  addFigures,
  addToBalance,
  BalanceEntry,
  commissionKey,
  CommissionVersion,
  contributionOf,
  figuresToStrings,
  evolve,
  initialLedgerState,
  LedgerEvent,
  LedgerPayout,
  planBatch,
  recomputeBalances,
  subtractFigures,
  versionFromObservation,
  zeroFigures,
} from '..';
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

/** Cut points splitting a sequence into consecutive batches, some of them empty. */
const withBatchCuts = histories.chain((history) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: history.delivered.length }), { maxLength: 8 })
    .map((cuts) => ({ history, cuts: [...cuts].sort((left, right) => left - right) })),
);

function splitIntoBatches<T>(events: readonly T[], cuts: number[]): T[][] {
  const bounds = [0, ...cuts, events.length];
  return bounds.slice(1).map((end, index) => events.slice(bounds[index], end));
}

function mentionedCommissionKeys(events: readonly LedgerEvent[]): Set<string> {
  const keys = events.flatMap((event) => (event.type === 'CommissionObserved' ? [commissionKey(event.source, event.commissionId)] : []));
  return new Set(keys);
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

  it('the same sequence split into batches through planBatch sums to the balances evolve reaches', () => {
    fc.assert(
      fc.property(withBatchCuts, ({ history, cuts }) => {
        const stored = new Map<string, CommissionVersion>();
        const storedPayouts = new Map<string, LedgerPayout>();
        const balances = new Map<string, BalanceEntry>();
        let eventsAccountedFor = 0;
        let duplicateCount = 0;
        for (const events of splitIntoBatches(history.delivered, cuts)) {
          // The projector reads only the rows the batch mentions: give planBatch no more than that.
          const mentioned = mentionedCommissionKeys(events);
          const storedVersions = new Map([...stored].filter(([key]) => mentioned.has(key)));
          const plan = planBatch({ storedVersions, storedPayouts: new Map(storedPayouts), events });
          for (const version of plan.changedVersions) stored.set(commissionKey(version.source, version.commissionId), version);
          for (const changed of plan.changedPayouts) storedPayouts.set(changed.payoutId, changed);
          for (const delta of plan.balanceDeltas) addToBalance(balances, delta.aui, delta.unit, delta.delta);
          eventsAccountedFor += plan.appliedObservations.length + plan.appliedPayouts.length + plan.duplicates.length;
          duplicateCount += plan.duplicates.length;
          const appliedIds = new Set([...plan.appliedObservations.map((applied) => applied.observationId), ...plan.appliedPayouts.map((executed) => executed.payoutId)]);
          for (const delta of plan.balanceDeltas) expect(delta.causedBy.every((id) => appliedIds.has(id))).toBe(true);
        }
        const state = history.delivered.reduce(evolve, initialLedgerState);
        expect(balancesAsStrings(balances)).toEqual(balancesAsStrings(state.balances));
        expect(new Map([...stored].map(([key, version]) => [key, version.observationId]))).toEqual(
          new Map([...state.commissions].map(([key, version]) => [key, version.observationId])),
        );
        expect(eventsAccountedFor).toBe(history.delivered.length);
        expect(duplicateCount).toBe(state.duplicateCount);
      }),
      { numRuns: 300 },
    );
  });

  it('the deltas of a plan sum to the difference of the balances recomputed before and after it', () => {
    fc.assert(
      fc.property(withBatchCuts, ({ history, cuts }) => {
        const [earlier, batch] = [history.delivered.slice(0, cuts[0] ?? 0), history.delivered.slice(cuts[0] ?? 0)];
        const before = earlier.reduce(evolve, initialLedgerState);
        const plan = planBatch({ storedVersions: before.commissions, storedPayouts: before.payouts, events: batch });
        const after = batch.reduce(evolve, before);
        const payoutsBefore = earlier.filter((event): event is PayoutExecuted => event.type === 'PayoutExecuted');
        const payoutsAfter = history.delivered.filter((event): event is PayoutExecuted => event.type === 'PayoutExecuted');
        const difference = new Map(recomputeBalances(after.commissions.values(), payoutsAfter));
        for (const entry of recomputeBalances(before.commissions.values(), payoutsBefore).values()) {
          addToBalance(difference, entry.aui, entry.unit, subtractFigures(zeroFigures, entry.figures));
        }
        const summed = new Map<string, BalanceEntry>();
        for (const delta of plan.balanceDeltas) addToBalance(summed, delta.aui, delta.unit, delta.delta);
        expect(balancesAsStrings(summed)).toEqual(balancesAsStrings(difference));
        expect(plan.balanceDeltas.length).toBe(summed.size);
      }),
      { numRuns: 300 },
    );
  });
});

describe('contributionOf summed per group', () => {
  // The bulk rebuild asks PostgreSQL for sum(user_amount) per (aui, unit, state, paid_by_network, sign) and
  // applies the rule once per group: that is only right while the rule is additive within such a group.
  it('equals the sum of the contributions of the versions it groups', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CommissionStates),
        fc.boolean(),
        fc.boolean(),
        fc.array(decimalString(0n), { minLength: 1, maxLength: 8 }),
        (state: CommissionState, paidByNetwork: boolean, negative: boolean, magnitudes: string[]) => {
          const amounts = magnitudes.map((magnitude) => (negative ? new Decimal(magnitude).negated() : new Decimal(magnitude)));
          const separately = amounts.reduce((sum, userAmount) => addFigures(sum, contributionOf({ state, paidByNetwork, userAmount })), zeroFigures);
          const total = amounts.reduce((sum, amount) => sum.plus(amount), new Decimal(0));
          expect(figuresToStrings(contributionOf({ state, paidByNetwork, userAmount: total }))).toEqual(figuresToStrings(separately));
        },
      ),
    );
  });
});
