import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { setup } from '../admin/setup';
import { dropDatabase, ensureDatabase, localServerUrl } from './database';
import { freePort, RunningBroker, startKafkaBroker } from './kafka-broker';

const testTopicPartitions = 3;

export interface TestInfrastructure {
  brokers: string;
  databaseUrl: string;
  /** A folder for logs and results, removed afterwards. */
  scratch: string;
}

/**
 * What the integration tests and the soaks run against: KAFKA_BROKERS / DATABASE_URL when set;
 * otherwise a fresh broker on a free port and a database for this run, both removed afterwards.
 * Topics and migrations are set up either way. KAFKA_BROKERS, DATABASE_URL, KAFKA_TOPIC_PARTITIONS
 * and TEST_SCRATCH_DIR are set in this process for the work, and so in every child process it starts.
 *
 * With `saslSslListener` (`npm test`) the fresh broker also opens a SASL_SSL listener (a second
 * port, its certificates made with keytool, a SCRAM user); TEST_KAFKA_SASL_SSL_LISTENER names a
 * JSON file describing it (SaslSslListener). With KAFKA_BROKERS set, set that variable too for the
 * secured-listener suites.
 */
export async function withTestInfrastructure<T>(
  log: (message: string) => void,
  work: (infrastructure: TestInfrastructure) => Promise<T>,
  options: { saslSslListener: boolean } = { saslSslListener: false },
): Promise<T> {
  let broker: RunningBroker | null = null;
  let createdDatabase: string | null = null;
  const scratch = mkdtempSync(join(tmpdir(), 'earnings-test-'));
  try {
    if (!process.env.KAFKA_BROKERS) {
      const saslSslPort = options.saslSslListener ? await freePort() : undefined;
      broker = await startKafkaBroker({ workspaceRoot: workspaceRoot(), port: await freePort(), dataDirectory: join(scratch, 'kafka'), fresh: true, log, saslSslPort });
      if (broker.saslSsl) {
        const listenerFile = join(scratch, 'sasl-ssl-listener.json');
        writeFileSync(listenerFile, JSON.stringify(broker.saslSsl));
        process.env.TEST_KAFKA_SASL_SSL_LISTENER = listenerFile;
      }
    }
    const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers;
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      createdDatabase = `earnings_test_${process.pid}`;
      databaseUrl = await ensureDatabase(localServerUrl, createdDatabase, true);
    }
    await setup({ databaseUrl, brokers: brokers.split(','), partitions: testTopicPartitions, replication: { replicationFactor: 1, minInSyncReplicas: 1 } });
    // The partition count too: a suite running `npm start` or setup against this broker must not raise it under the others.
    Object.assign(process.env, { KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl, TEST_SCRATCH_DIR: scratch, KAFKA_TOPIC_PARTITIONS: String(testTopicPartitions) });
    return await work({ brokers, databaseUrl, scratch });
  } finally {
    await broker?.stop();
    if (createdDatabase) await dropDatabase(localServerUrl, createdDatabase).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}
