import { checkProjection, FaultRun, generateScenario, LedgerScenario, produceScenario, runProjectorUnderKills } from './ledger-scenario';
import { requireTestInfrastructure, runRebuildCommand, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * A rebuild on a live ledger: events keep arriving while it replays, so the live projector gets
 * past the end offsets the rebuild took when it started and the rebuild has to follow it there.
 */
describe('a rebuild while events keep arriving', () => {
  let run: FaultRun;
  let payoutsOnly: LedgerScenario;

  beforeAll(async () => {
    run = await runProjectorUnderKills({ label: 'rebuild-live', seed: 20261206, observationCount: 3_000, killCount: 0, killDelayMsMax: 0, catchUpTimeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await run?.apps.stopAll();
    await run?.database.drop();
  });

  it('rebuilds a balance that holds only payouts, counting each payout once', async () => {
    // Payouts to users with no commission in that unit: the rebuild's balances come from payouts alone.
    payoutsOnly = { ...generateScenario({ seed: 77, auiPrefix: `${run.scenario.auiPrefix}-payouts-only`, observationCount: 1 }), observations: [] };
    await produceScenario(requireTestInfrastructure().brokers, payoutsOnly);
    await waitForProjectorToCatchUp(run.database.url, run.consumerGroup);
    const report = await runRebuildCommand(run.env, ['--switch', `--aui-prefix=${run.scenario.auiPrefix}-`]);
    expect(report).toMatchObject({ differenceCount: 0, differences: [], switched: true });
    expect((await checkProjection(run.database.url, payoutsOnly)).mismatchesWithBruteForce).toEqual([]);
  }, 180_000);

  it('follows the live projector past its start, switches, and nothing that arrived meanwhile is lost', async () => {
    const { brokers } = requireTestInfrastructure();
    // Outside the compared prefix: the live projector is still applying these while the rebuild compares.
    const arriving: LedgerScenario[] = Array.from({ length: 12 }, (_, index) =>
      generateScenario({ seed: 500 + index, auiPrefix: `arriving-${uniqueSuffix()}-${index}`, observationCount: 100 }));
    let rebuildEnded = false;
    const producing = (async () => {
      for (const scenario of arriving) {
        await produceScenario(brokers, scenario);
        // A spread-out stream rather than one burst, so some arrives after the rebuild took its end offsets.
        if (!rebuildEnded) await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    const report = await runRebuildCommand(run.env, ['--switch', '--drop-old', `--aui-prefix=${run.scenario.auiPrefix}-`]).finally(() => (rebuildEnded = true));
    await producing;
    expect(report).toMatchObject({ differenceCount: 0, switched: true });
    // The projector continues from the rebuild's offsets in the rebuilt schema: every arrival must be there exactly once.
    await waitForProjectorToCatchUp(run.database.url, run.consumerGroup);
    const checks = await Promise.all(arriving.map((scenario) => checkProjection(run.database.url, scenario)));
    expect(checks.flatMap((check) => check.mismatchesWithBruteForce)).toEqual([]);
    expect(checks.map((check) => check.counts.versionDuplicates)).toEqual(arriving.map(() => 0));
    // The first test's payouts-only users share the run's prefix.
    const everythingBefore = { ...run.scenario, payouts: [...run.scenario.payouts, ...payoutsOnly.payouts] };
    expect((await checkProjection(run.database.url, everythingBefore)).mismatchesWithBruteForce).toEqual([]);
  }, 180_000);
});
