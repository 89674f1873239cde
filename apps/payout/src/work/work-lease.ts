import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Work in flight (payouts to submit, poll or watch; FirstPromoter commissions to approve, mark or
 * unmark) is shared by every payout process through leases on its rows: a process claims due rows
 * with `FOR UPDATE SKIP LOCKED`, so two claims never take the same row, and writes its name and an
 * expiry. Until the lease expires no other process takes the row; once the attempt is recorded the
 * lease is released. A process that dies simply lets its leases expire. An outcome is written only
 * while the lease is still the writer's own, so a slow process never overwrites what the process
 * that took over recorded.
 */

/** This process's name on the rows it claims: the host and pid say where, the random part that it is not an earlier process with the same pid. */
export function leaseOwnerOfThisProcess(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** SQL condition on a work table's row: no live lease (never claimed, released, or expired). */
export const leaseIsFree = '(lease_expires_at IS NULL OR lease_expires_at <= now())';

/** SQL SET clauses claiming a row for `$owner` (the parameter given) for `$leaseMs` milliseconds. */
export const leaseClaimedBy = (ownerParameter: string, leaseMsParameter: string): string =>
  `lease_owner = ${ownerParameter}, lease_expires_at = now() + make_interval(secs => ${leaseMsParameter}::numeric / 1000)`;

/** SQL SET clauses releasing a row's lease once its attempt is recorded. */
export const leaseReleased = 'lease_owner = NULL, lease_expires_at = NULL';
