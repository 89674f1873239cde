import { checkProjection, runProjectorUnderKills } from '../e2e/ledger-scenario';
import { runSoak } from './run-soak';

/**
 * The projector fault test at soak size: 100,000 observations (SOAK_EVENTS) produced while the
 * projector is killed with SIGKILL 10 times (SOAK_KILLS), then every balance of the run checked
 * against both oracles. Uses KAFKA_BROKERS / DATABASE_URL like the integration tests, or starts its own.
 *
 *   npm run soak:projector
 */
const observationCount = Number(process.env.SOAK_EVENTS ?? 100_000);
const killCount = Number(process.env.SOAK_KILLS ?? 10);
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2_147_483_647);

async function main(): Promise<number> {
  const run = await runProjectorUnderKills({ label: 'projector-soak', seed, observationCount, killCount, killDelayMsMax: 8_000, catchUpTimeoutMs: 30 * 60_000 });
  try {
    const check = await checkProjection(run.database.url, run.scenario);
    const doubleCounted = check.counts.versionDuplicates + Math.abs(check.counts.appliedPayouts - check.expectedPayouts)
      + Math.abs(check.counts.commissions - check.expectedCommissions) + check.counts.commissionsNotLatest;
    const result = {
      events: run.scenario.observations.length,
      payoutEvents: run.scenario.payouts.length,
      kills: run.kills,
      durationSeconds: run.durationSeconds,
      seed,
      mismatchesWithDomainOracle: check.mismatchesWithDomainOracle.length,
      mismatchesWithBruteForce: check.mismatchesWithBruteForce.length,
      countMismatches: doubleCounted,
      firstMismatches: [...check.mismatchesWithDomainOracle, ...check.mismatchesWithBruteForce].slice(0, 10),
    };
    console.log(JSON.stringify(result, null, 2));
    return result.mismatchesWithDomainOracle + result.mismatchesWithBruteForce + doubleCounted === 0 ? 0 : 1;
  } finally {
    await run.apps.stopAll();
    await run.database.drop();
  }
}

runSoak('projector-soak', main);
