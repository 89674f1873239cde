import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { setup } from '../admin/setup';
import { dropDatabase, ensureDatabase, localServerUrl } from './database';
import { freePort, RunningBroker, startKafkaBroker } from './kafka-broker';

/**
 * `npm test`: type check, lint, unit tests, then integration tests against a real Kafka broker
 * and a real PostgreSQL. Uses KAFKA_BROKERS / DATABASE_URL when set; otherwise starts a fresh
 * broker on a free port and creates a database for this run, and removes both afterwards.
 */
async function main(): Promise<number> {
  const root = workspaceRoot();
  const log = (message: string) => console.log(`[test] ${message}`);
  const steps: [string, string[]][] = [
    ['type check', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
    ['lint', ['npx', 'eslint', '--max-warnings=0', 'apps', 'libs', 'tools']],
  ];
  for (const [name, command] of steps) {
    log(`${name}...`);
    if (spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' }).status !== 0) {
      log(`${name} failed`);
      return 1;
    }
  }

  let broker: RunningBroker | null = null;
  let createdDatabase: string | null = null;
  const scratch = mkdtempSync(join(tmpdir(), 'earnings-test-'));
  try {
    if (!process.env.KAFKA_BROKERS) {
      broker = await startKafkaBroker({ workspaceRoot: root, port: await freePort(), dataDirectory: join(scratch, 'kafka'), fresh: true, log });
    }
    const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers;
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      createdDatabase = `earnings_test_${process.pid}`;
      databaseUrl = await ensureDatabase(localServerUrl, createdDatabase, true);
    }
    await setup({ databaseUrl, brokers: brokers.split(','), partitions: 3, replicationFactor: 1 });
    const env = { ...process.env, KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl, TEST_SCRATCH_DIR: scratch };
    const results = join(scratch, 'results');
    const runs: [string, string[]][] = [
      ['unit', ['npx', 'jest', '--ci', '--json', `--outputFile=${results}-unit.json`]],
      ['integration', ['npx', 'jest', '--ci', '-c', 'jest.integration.config.js', '--runInBand', '--json', `--outputFile=${results}-integration.json`]],
    ];
    let failed = false;
    let passedTests = 0;
    let failedTests = 0;
    for (const [name, command] of runs) {
      log(`${name} tests...`);
      const status = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env }).status;
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
  } finally {
    await broker?.stop();
    if (createdDatabase) await dropDatabase(localServerUrl, createdDatabase).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[test] failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
