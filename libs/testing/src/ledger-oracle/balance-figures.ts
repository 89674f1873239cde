import { Decimal, ZERO } from '@earnings/domain';

/**
 * A user's figures in one unit. `available` is not stored: it is derived from the others
 * (`availableOf`), so it can never disagree with them.
 */
export interface BalanceFigures {
  /** Every commission that is not rejected, net of returns. */
  lifetime: Decimal;
  /** Pending, confirmed and ready commissions: expected, not yet eligible. */
  pending: Decimal;
  /** Eligible commissions the partner pays out (before subtracting what left). */
  payable: Decimal;
  /** Eligible commissions the network already paid the user itself (Wildfire device split). */
  paidByNetwork: Decimal;
  /** What executed payouts took out. */
  paidOut: Decimal;
  /** What payouts in flight hold back (requested or at the provider), so a second run cannot pay it again. */
  reserved: Decimal;
  /**
   * Returns and refunds that have not settled: negative amounts still pending, confirmed or ready
   * (0 or less; also counted in `pending`). Payouts withhold them, so a user is never paid money a
   * known return will take back.
   */
  pendingReversals: Decimal;
}

/** A balance of one user in one unit, as the ledger keeps it. */
export interface BalanceEntry {
  aui: string;
  unit: string;
  figures: BalanceFigures;
}

/** One term per figure, so arithmetic over figures never forgets one. */
export const figureNames = ['lifetime', 'pending', 'payable', 'paidByNetwork', 'paidOut', 'reserved', 'pendingReversals'] as const;
export type FigureName = (typeof figureNames)[number];

export const zeroFigures: BalanceFigures = Object.freeze({
  lifetime: ZERO,
  pending: ZERO,
  payable: ZERO,
  paidByNetwork: ZERO,
  paidOut: ZERO,
  reserved: ZERO,
  pendingReversals: ZERO,
});

/** What the user may still be paid. Negative after a return that followed a payout (a clawback). */
export function availableOf(figures: BalanceFigures): Decimal {
  return figures.payable.minus(figures.paidOut).minus(figures.reserved);
}

/** A figures value with one figure set; the others zero. */
export function figuresWith(name: FigureName, amount: Decimal): BalanceFigures {
  return { ...zeroFigures, [name]: amount };
}

export function addFigures(left: BalanceFigures, right: BalanceFigures): BalanceFigures {
  return combineFigures(left, right, (a, b) => (b.isZero() ? a : a.plus(b)));
}

export function subtractFigures(left: BalanceFigures, right: BalanceFigures): BalanceFigures {
  return combineFigures(left, right, (a, b) => (b.isZero() ? a : a.minus(b)));
}

export function isZeroFigures(figures: BalanceFigures): boolean {
  return figureNames.every((name) => figures[name].isZero());
}

export function figuresEqual(left: BalanceFigures, right: BalanceFigures): boolean {
  return figureNames.every((name) => left[name].equals(right[name]));
}

/** Plain decimal strings, for logs, events and test assertions. */
export function figuresToStrings(figures: BalanceFigures): Record<FigureName | 'available', string> {
  const strings = Object.fromEntries(figureNames.map((name) => [name, figures[name].toFixed()]));
  return { ...(strings as Record<FigureName, string>), available: availableOf(figures).toFixed() };
}

/** Spelled out, not a loop over figureNames: the projector calls it several times per event (a hot path). */
function combineFigures(left: BalanceFigures, right: BalanceFigures, operation: (a: Decimal, b: Decimal) => Decimal): BalanceFigures {
  return {
    lifetime: operation(left.lifetime, right.lifetime),
    pending: operation(left.pending, right.pending),
    payable: operation(left.payable, right.payable),
    paidByNetwork: operation(left.paidByNetwork, right.paidByNetwork),
    paidOut: operation(left.paidOut, right.paidOut),
    reserved: operation(left.reserved, right.reserved),
    pendingReversals: operation(left.pendingReversals, right.pendingReversals),
  };
}

/**
 * The key of a balance. JSON keeps it unambiguous for any aui and unit (a separator character
 * could appear inside either), and readable in a debugger.
 */
export function balanceKey(aui: string, unit: string): string {
  return JSON.stringify([aui, unit]);
}

/** The balance of (aui, unit) in a balances map; a missing entry is a zero balance. */
export function balanceOf(balances: ReadonlyMap<string, BalanceEntry>, aui: string, unit: string): BalanceFigures {
  return balances.get(balanceKey(aui, unit))?.figures ?? zeroFigures;
}

/**
 * Adds a delta to one balance in a mutable map. An entry whose figures all return to zero is
 * removed, so the balances are the same whatever order of events led to them.
 */
export function addToBalance(balances: Map<string, BalanceEntry>, aui: string, unit: string, delta: BalanceFigures): void {
  const key = balanceKey(aui, unit);
  const figures = addFigures(balances.get(key)?.figures ?? zeroFigures, delta);
  if (isZeroFigures(figures)) balances.delete(key);
  else balances.set(key, { aui, unit, figures });
}
