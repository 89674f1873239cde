import { CommissionObserved, CommissionState, UNATTRIBUTED_AUI } from '@earnings/contracts';
import fc from 'fast-check';
import { BalanceFigures, balanceKey, balanceOf, evolve, figuresEqual, initialLedgerState, LedgerState } from '@earnings/testing';
import { LedgerEvent, PayoutEvent } from '../../ledger';
import { Decimal, ZERO } from '../../money/decimal';
import { fromEpochMicros, toEpochMicros } from '../../time/source-timestamp';
import { decidePayout } from '../decide-payout';
import { PayoutState, transitionPayout } from '../payout-state';
import { spendableOf } from '../spendable';

/**
 * Money leaves only when it is owed, over random interleavings: observations (re-attribution
 * between the unattributed owner and the user, statuses moving both ways, order-level amount
 * changes, item-level returns before their purchase, purchases and returns sharing a merchant
 * order, so pending returns net per order), payout runs on a view that lags per user (a run skips
 * a user whose view is behind the ledger's sequence), provider successes, failures and returns,
 * and payout events reaching the ledger late and out of order.
 * fast-check prints the seed and path of a failure; pass them to fc.assert to replay it.
 */
const users = ['user-a', 'user-b'];
const states: CommissionState[] = ['PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED'];
const policy = { thresholds: new Map([['USD', new Decimal(10)]]), fractionDigitsByUnit: new Map<string, number>() };
const cents = (value: number) => new Decimal(value).div(100);

type Action =
  | { kind: 'observe'; commission: number; attributed: boolean; state: CommissionState; amountCents: number; order: number | null }
  | { kind: 'deliver'; count: number; fromEnd: boolean }
  | { kind: 'refresh-view'; user: number }
  | { kind: 'run' }
  | { kind: 'provider'; pick: number; outcome: 'accept' | 'succeed' | 'fail' | 'return' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('observe' as const), commission: fc.nat(5), attributed: fc.boolean(), state: fc.constantFrom(...states), amountCents: fc.integer({ min: -3_000, max: 6_000 }),
      order: fc.option(fc.nat(2)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), count: fc.integer({ min: 1, max: 4 }), fromEnd: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refresh-view' as const), user: fc.nat(users.length) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'run' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('provider' as const), pick: fc.nat(20), outcome: fc.constantFrom('accept' as const, 'succeed' as const, 'fail' as const, 'return' as const) }) },
);

interface ServicePayout {
  payoutId: string;
  aui: string;
  amount: Decimal;
  state: PayoutState;
}

/** The payout service's view of one balance: the figures of the last BalanceChanged it consumed, and that event's per-AUI sequence. */
interface ViewEntry {
  figures: BalanceFigures;
  sequence: number;
}

class World {
  ledger: LedgerState = initialLedgerState;
  /** Per AUI, how many times the ledger announced a change of one of its balances (BalanceChanged's sequence). */
  sequences = new Map<string, number>();
  /** Payout events on their way to the ledger: separate topics, so any order. */
  inTransit: PayoutEvent[] = [];
  view = new Map<string, ViewEntry>();
  payouts: ServicePayout[] = [];
  /** What the provider stand-in paid and has not had back, per payout id. */
  providerPaid = new Map<string, Decimal>();
  /** Per user, the most that was ever owed as the view saw it at a run (payable net of pending reversals). */
  owedSeenMax = new Map<string, Decimal>();
  private modifiedMicros = toEpochMicros('2026-01-01T00:00:00Z');

  apply(step: Action): void {
    switch (step.kind) {
      case 'observe':
        return this.observe(step);
      case 'deliver': {
        const taken = step.fromEnd ? this.inTransit.splice(-step.count) : this.inTransit.splice(0, step.count);
        this.evolveLedger(taken);
        return;
      }
      case 'refresh-view':
        return this.refreshView([...users, UNATTRIBUTED_AUI][step.user]);
      case 'run':
        return this.run();
      case 'provider':
        return this.provider(step.pick, step.outcome);
      default: {
        const unreachable: never = step;
        throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private observe(step: Extract<Action, { kind: 'observe' }>): void {
    this.modifiedMicros += 1_000_000n;
    const owner = users[step.commission % users.length];
    const observation: CommissionObserved = {
      type: 'CommissionObserved', schemaVersion: 1, observationId: `obs-${this.modifiedMicros}`, source: 'wildfire', channel: 'api',
      commissionId: `c${step.commission}`, aui: step.attributed ? owner : UNATTRIBUTED_AUI, state: step.state, sourceStatus: step.state.toLowerCase(),
      unit: 'USD', userAmount: cents(step.amountCents).toFixed(), applicationAmount: null, paidByNetwork: false, saleAmount: null, saleCurrency: null,
      applicationId: null, merchantId: null, deviceId: null, merchantOrderId: step.order === null ? null : `order-${step.order}`, merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null,
      modifiedDate: fromEpochMicros(this.modifiedMicros), deliveryId: null, apiVersion: 'v4', observedAt: fromEpochMicros(this.modifiedMicros),
    };
    this.evolveLedger([observation as LedgerEvent]);
  }

  /** Applies events to the ledger; every AUI whose balance changed moves its sequence on, as the projector announces it. */
  private evolveLedger(events: readonly LedgerEvent[]): void {
    const before = this.ledger.balances;
    this.ledger = events.reduce(evolve, this.ledger);
    for (const aui of [...users, UNATTRIBUTED_AUI]) {
      if (!figuresEqual(balanceOf(before, aui, 'USD'), balanceOf(this.ledger.balances, aui, 'USD'))) this.sequences.set(aui, (this.sequences.get(aui) ?? 0) + 1);
    }
  }

  /** The view consumes every BalanceChanged of one user so far (Kafka delivers each user's in order). */
  private refreshView(aui: string): void {
    this.view.set(balanceKey(aui, 'USD'), { figures: balanceOf(this.ledger.balances, aui, 'USD'), sequence: this.sequences.get(aui) ?? 0 });
  }

  private run(): void {
    for (const [key, entry] of this.view) {
      const [aui, unit] = JSON.parse(key) as [string, string];
      // The run decides only on figures at least as new as the ledger's: a user whose view is behind waits for the next run.
      if (entry.sequence < (this.sequences.get(aui) ?? 0)) continue;
      const figures = entry.figures;
      const committed = this.committedOf(aui);
      const spendable = spendableOf(figures, committed);
      const decision = decidePayout({ aui, unit, spendable }, policy, new Date('2026-06-01T00:00:00Z'));
      if (decision.kind === 'none') continue;
      const owed = figures.payable.plus(Decimal.min(ZERO, figures.pendingReversals));
      this.owedSeenMax.set(aui, Decimal.max(this.owedSeenMax.get(aui) ?? ZERO, owed));
      const payout = { payoutId: `p${this.payouts.length}`, aui, amount: decision.amount, state: 'requested' as PayoutState };
      this.payouts.push(payout);
      this.inTransit.push(this.event(payout, 'PayoutRequested'));
      // Never more than the view said was owed, all of this service's payouts together; nor than the ledger says now.
      expect(this.committedOf(aui).lte(owed)).toBe(true);
      const ledger = balanceOf(this.ledger.balances, aui, unit);
      expect(this.committedOf(aui).lte(ledger.payable.plus(Decimal.min(ZERO, ledger.pendingReversals)))).toBe(true);
    }
  }

  private provider(pick: number, outcome: 'accept' | 'succeed' | 'fail' | 'return'): void {
    if (this.payouts.length === 0) return;
    const payout = this.payouts[pick % this.payouts.length];
    const progress = {
      accept: { type: 'ProviderAccepted' as const, providerReference: 'ref' },
      succeed: { type: 'ProviderSucceeded' as const, providerReference: 'ref' },
      fail: { type: 'ProviderFailed' as const, reason: 'DENIED' },
      return: { type: 'ProviderReturned' as const, reason: 'RETURNED' },
    }[outcome];
    const transition = transitionPayout(payout.state, progress);
    if (!transition.changed) return;
    payout.state = transition.state;
    if (transition.state === 'succeeded') this.providerPaid.set(payout.payoutId, payout.amount);
    if (transition.state === 'returned') this.providerPaid.delete(payout.payoutId);
    const type = { requested: null, submitted: 'PayoutSubmitted', succeeded: 'PayoutExecuted', failed: 'PayoutFailed', returned: 'PayoutReturned' }[transition.state];
    if (type !== null) this.inTransit.push(this.event(payout, type as PayoutEvent['type']));
  }

  /** Everything delivered, every payout in flight settled: the end of a quiet night. */
  settle(): void {
    for (const payout of this.payouts) if (payout.state === 'requested' || payout.state === 'submitted') this.provider(this.payouts.indexOf(payout), 'succeed');
    this.evolveLedger(this.inTransit.splice(0));
  }

  committedOf(aui: string): Decimal {
    return this.payouts.filter((payout) => payout.aui === aui && ['requested', 'submitted', 'succeeded'].includes(payout.state)).reduce((sum, payout) => sum.plus(payout.amount), ZERO);
  }

  private event(payout: ServicePayout, type: PayoutEvent['type']): PayoutEvent {
    const base = { schemaVersion: 1 as const, payoutId: payout.payoutId, aui: payout.aui, unit: 'USD', amount: payout.amount.toFixed(), method: 'paypal' };
    const at = '2026-06-01T00:00:00Z';
    switch (type) {
      case 'PayoutRequested': return { ...base, type, requestedAt: at };
      case 'PayoutSubmitted': return { ...base, type, submittedAt: at };
      case 'PayoutExecuted': return { ...base, type, providerReference: 'ref', coveredCommissions: [], executedAt: at };
      case 'PayoutFailed': return { ...base, type, reason: 'DENIED', failedAt: at };
      case 'PayoutReturned': return { ...base, type, reason: 'RETURNED', returnedAt: at };
      default: {
        const unreachable: never = type;
        throw new Error(`unknown payout event ${String(unreachable)}`);
      }
    }
  }
}

describe('payouts over random interleavings', () => {
  it('never pay more than was owed, never pay the unattributed owner, and the ledger, the payout service and the provider agree', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 80 }), (actions) => {
        const world = new World();
        for (const step of actions) world.apply(step);
        world.settle();
        expect(world.payouts.filter((payout) => payout.aui === UNATTRIBUTED_AUI)).toEqual([]);
        for (const aui of [...users, UNATTRIBUTED_AUI]) {
          const figures = balanceOf(world.ledger.balances, aui, 'USD');
          const servicePaid = world.payouts.filter((payout) => payout.aui === aui && payout.state === 'succeeded').reduce((sum, payout) => sum.plus(payout.amount), ZERO);
          const providerPaid = world.payouts.filter((payout) => payout.aui === aui).reduce((sum, payout) => sum.plus(world.providerPaid.get(payout.payoutId) ?? ZERO), ZERO);
          expect([figures.paidOut.toFixed(), figures.reserved.toFixed()]).toEqual([servicePaid.toFixed(), '0']);
          expect(providerPaid.toFixed()).toBe(servicePaid.toFixed());
          // What left and stayed out never exceeds the most this user was ever owed when a run looked.
          expect(servicePaid.lte(world.owedSeenMax.get(aui) ?? ZERO)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
