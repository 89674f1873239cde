import { isLedgerOwnedAui } from '@earnings/contracts';

/**
 * Who receives a commission is decided when it is first observed with a user, and kept: the
 * reward's name, the campaign's configuration and the promoter directory can all change later
 * (a renamed reward, a promoter's new `cust_id`), and recomputing the owner on every delivery
 * moved whole histories to another user, who was then paid again. Configuration changes apply to
 * new commissions; moving one on purpose is an operator's command.
 */
export interface FirstPromoterOwnerDecision {
  /** The owner this version is published with. */
  owner: string;
  /** The owner is new (first observed, or first observed with a user): record it. */
  decided: boolean;
  /** The payload names another user than the one kept: kept for the operator to see, never applied. */
  sourceNamesOther: string | null;
}

/**
 * `kept` is the owner recorded for the commission (null: never observed); `named` is whom this
 * payload names under today's configuration. A commission kept under a ledger-owned owner
 * (`~unattributed`: no user was known) goes to the first user a version names, once.
 */
export function decideFirstPromoterOwner(kept: string | null, named: string): FirstPromoterOwnerDecision {
  if (kept === null || (isLedgerOwnedAui(kept) && kept !== named)) return { owner: named, decided: kept !== named, sourceNamesOther: null };
  const other = named !== kept && !isLedgerOwnedAui(named) ? named : null;
  return { owner: kept, decided: false, sourceNamesOther: other };
}
