import { formatDate } from '../dates';
import { PayoutSchedule } from '../graphql/types';
import { isZero, percentOf } from '../money';
import { Amount } from './amount';

/**
 * How close the user is to being paid, and when the next payout run is; a payout the programme
 * reviews is said to be reviewed before it is sent. `held`: a security hold stops the next run paying.
 */
export function PayoutProgress({ schedule, held = false }: { schedule: PayoutSchedule | undefined; held?: boolean }) {
  if (!schedule || schedule.threshold === null) {
    return (
      <section className="panel" aria-labelledby="progress-title">
        <h2 id="progress-title">Next payout</h2>
        <p className="muted">Payouts in this unit are not scheduled automatically.</p>
      </section>
    );
  }
  const percent = percentOf(schedule.spendable, schedule.threshold);
  const on = schedule.nextRunAt ? ` on ${formatDate(schedule.nextRunAt)}` : '';
  return (
    <section className="panel" aria-labelledby="progress-title" data-testid="payout-progress">
      <h2 id="progress-title">Next payout</h2>
      <div className="progress-figures">
        <span>
          <Amount value={schedule.spendable} unit={schedule.unit} className="figure" /> of <Amount value={schedule.threshold} unit={schedule.unit} />
        </span>
        {schedule.nextRunAt && <span className="muted">Next run {formatDate(schedule.nextRunAt)}</span>}
      </div>
      <div className="progress" role="progressbar" aria-label="Progress to the payout threshold" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={`${percent}%`}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="hint" data-testid="payout-progress-text">
        {schedule.reached && schedule.review ? (
          <>You have reached the threshold: the next run{on} requests your payout, and it will be reviewed before it is sent to you.</>
        ) : schedule.reached ? (
          <>You have reached the threshold: the next run pays you{on}.</>
        ) : held && schedule.remaining !== null && isZero(schedule.remaining) ? (
          <>You have reached the threshold; your payouts are on a security hold until it ends.</>
        ) : (
          <>
            <Amount value={schedule.remaining ?? '0'} unit={schedule.unit} /> more and the next run pays you.
          </>
        )}
      </p>
    </section>
  );
}
