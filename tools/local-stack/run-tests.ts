import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { withTestInfrastructure } from './test-infrastructure';

/**
 * `npm test`: type check, lint, unit tests, then integration tests against a real Kafka broker
 * and a real PostgreSQL (withTestInfrastructure: the ones KAFKA_BROKERS / DATABASE_URL name, or
 * a fresh broker and database for this run).
 */
async function main(): Promise<number> {
  const root = workspaceRoot();
  const log = (message: string) => console.log(`[test] ${message}`);
  // `npm test -- <path patterns>` runs only the matching suites (no type check or lint): the inner loop of a change.
  const patterns = process.argv.slice(2);
  const steps: [string, string[]][] = patterns.length > 0 ? [] : [
    ['type check', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
    ['dashboard type check', ['npx', 'tsc', '-p', 'apps/dashboard/tsconfig.json', '--noEmit']],
    ['lint', ['npx', 'eslint', '--max-warnings=0', 'apps', 'libs', 'tools']],
  ];
  for (const [name, command] of steps) {
    log(`${name}...`);
    if (spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' }).status !== 0) {
      log(`${name} failed`);
      return 1;
    }
  }

  return withTestInfrastructure(log, async ({ scratch }) => {
    const results = join(scratch, 'results');
    const filter = patterns.length > 0 ? ['--passWithNoTests', ...patterns] : [];
    const runs: [string, string[]][] = [
      ['unit', ['npx', 'jest', '--ci', ...filter, '--json', `--outputFile=${results}-unit.json`]],
      ['integration', ['npx', 'jest', '--ci', ...filter, '-c', 'jest.integration.config.js', '--runInBand', '--json', `--outputFile=${results}-integration.json`]],
    ];
    let failed = false;
    let passedTests = 0;
    let failedTests = 0;
    for (const [name, command] of runs) {
      log(`${name} tests...`);
      // The children inherit KAFKA_BROKERS, DATABASE_URL, TEST_SCRATCH_DIR and TEST_KAFKA_SASL_SSL_LISTENER, which withTestInfrastructure set.
      const status = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' }).status;
      failed ||= status !== 0;
      const file = `${results}-${name}.json`;
      if (existsSync(file)) {
        const summary = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number };
        passedTests += summary.numPassedTests;
        failedTests += summary.numFailedTests;
      }
    }
    console.log(`\n${passedTests} passed, ${failedTests} failed`);
    return failed ? 1 : 0;
  }, { saslSslListener: true });
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[test] failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
