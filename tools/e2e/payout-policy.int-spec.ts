import { CronTime } from 'cron';
import { commission, PayoutStack, produceCommissions, sql, startPayoutStack } from './payout-scenario';
import { eventually, graphql, queryApiKey, restartApp, RunningApps, startApps, waitForProjectorToCatchUp } from './test-stack';

interface ScheduleEntry {
  unit: string;
  threshold: string | null;
  available: string;
  remaining: string | null;
  reached: boolean;
  nextRunAt: string | null;
}

/**
 * The payout policy has one source: the payout service publishes the policy it runs by (thresholds,
 * fraction digits, its schedule and next run) through payout_policy_view, and the query service's
 * payoutSchedule reads it; the query service has no payout settings of its own. A unit the payout
 * service does not pay by run is never promised by the page.
 */
describe('the payout policy the page shows is the one the payout service runs by', () => {
  let stack: PayoutStack;
  let query: RunningApps;
  const key = queryApiKey('policy', 'payout-policy-query-key');
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  const scheduleOf = async (name: string): Promise<ScheduleEntry[]> => {
    const answer = await graphql<{ payoutSchedule: ScheduleEntry[] }>(query.url('query', '/graphql'), 'query($aui: ID!) { payoutSchedule(aui: $aui) { unit threshold available remaining reached nextRunAt } }', { aui: aui(name) }, key.headers);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data!.payoutSchedule;
  };
  /** The next start of `cron` after now, in this machine's time zone (the payout service's, which runs here). */
  const nextStartOf = (cron: string) => `${new CronTime(cron).getNextDateFrom(new Date()).toUTC().toISO()!.slice(0, -1)}000Z`;

  beforeAll(async () => {
    stack = await startPayoutStack('payout-policy', { PAYOUT_THRESHOLDS: 'USD:10', PAYOUT_RUN_CRON: '30 4 * * *' });
    query = await startApps(['query'], { ...key.env, KAFKA_BROKERS: stack.env.KAFKA_BROKERS, DATABASE_URL: stack.database.url, LOG_LEVEL: 'warn' });
    await produceCommissions([
      commission({ aui: aui('saver'), commissionId: aui('saver-usd'), amount: '12.5' }),
      commission({ aui: aui('saver'), commissionId: aui('saver-credits'), amount: '150', unit: 'credits' }),
    ]);
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
  }, 300_000);

  afterAll(async () => {
    await query?.stopAll();
    await stack?.stop();
  });

  it('shows the payout service\'s thresholds and next run, and promises nothing for a unit its runs do not pay', async () => {
    expect(await scheduleOf('saver')).toEqual([
      // Only USD is in PAYOUT_THRESHOLDS: credits are delivered per commission, never by a run.
      { unit: 'USD', threshold: '10', available: '12.5', remaining: '0', reached: true, nextRunAt: nextStartOf('30 4 * * *') },
      { unit: 'credits', threshold: null, available: '150', remaining: null, reached: false, nextRunAt: null },
    ]);
    expect(await sql(stack, 'SELECT unit, threshold::text, fraction_digits, run_cron FROM payout_policy_view')).toEqual([{ unit: 'USD', threshold: '10', fraction_digits: 2, run_cron: '30 4 * * *' }]);
  });

  it('follows the payout service when it restarts with another policy', async () => {
    await stack.services.services.get('payout')?.stop();
    await restartApp(stack.services, 'payout', { ...stack.env, PAYOUT_THRESHOLDS: 'USD:20,credits:100', PAYOUT_RUN_CRON: '15 3 * * 1' });
    const schedule = await eventually(() => scheduleOf('saver'), (entries) => entries[0]?.threshold === '20', 30_000);
    expect(schedule).toEqual([
      { unit: 'USD', threshold: '20', available: '12.5', remaining: '7.5', reached: false, nextRunAt: nextStartOf('15 3 * * 1') },
      { unit: 'credits', threshold: '100', available: '150', remaining: '0', reached: true, nextRunAt: nextStartOf('15 3 * * 1') },
    ]);
  }, 120_000);
});
