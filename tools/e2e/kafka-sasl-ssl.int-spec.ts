import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clusterProblem, createKafka, KafkaSaslMechanism, kafkaSecurityFromEnvironment } from '@earnings/kafka';
import { createLogger } from '@earnings/service-shell';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, workspaceRoot } from '@earnings/testing';
import { freePort } from '../local-stack/kafka-broker';
import { startServiceProcess } from '../local-stack/processes';
import { SaslSslListener, signWithTestCa } from '../local-stack/sasl-ssl-listener';
import {
  createSuiteDatabase, eventually, graphql, projectFromCurrentEnd, queryApiKey, requireSaslSslListener, RunningApps, signedWildfireCallback, startApps, SuiteDatabase, uniqueSuffix,
} from './test-stack';

const run = promisify(execFile);

/**
 * Issue 25: the services reach a secured Kafka, as MSK, Confluent Cloud, Aiven or a Strimzi
 * listener offer it. The test broker's second listener speaks SASL_SSL with a certificate from a
 * private CA and a SCRAM user; everything here goes through it, configured only by the
 * documented KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* variables.
 */
describe('a Kafka cluster that requires TLS and SASL', () => {
  const scratch = process.env.TEST_SCRATCH_DIR ?? '/tmp';
  let listener: SaslSslListener;
  let passwordFile: string;
  const logger = createLogger('sasl-ssl-test', 'silent');

  /** The variables an operator sets for this cluster (the password from a mounted file). */
  const securedEnvironment = (mechanism: KafkaSaslMechanism, extra: Record<string, string> = {}): Record<string, string> => ({
    KAFKA_BROKERS: listener.brokers,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: listener.username,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    KAFKA_SSL_CA_FILE: listener.caFile,
    ...extra,
  });

  /** What the readiness check answers for a client configured by these variables: 'ok', or the reason (kafkaReadinessCheck does the same). */
  const readinessWith = async (environment: Record<string, string>): Promise<string> => {
    const kafka = createKafka({ brokers: [listener.brokers], clientId: `sasl-ssl-test-${uniqueSuffix()}`, security: kafkaSecurityFromEnvironment(environment) }, logger);
    return (await clusterProblem(kafka)) ?? 'ok';
  };

  beforeAll(() => {
    listener = requireSaslSslListener();
    passwordFile = join(scratch, `kafka-password-${uniqueSuffix()}`);
    // As a Secret written with `echo` mounts it: with a trailing newline.
    writeFileSync(passwordFile, `${listener.password}\n`, { mode: 0o600 });
  });

  it('connects with each SASL mechanism, and names what to check when the password or the CA is wrong', async () => {
    for (const mechanism of listener.mechanisms) expect(await readinessWith(securedEnvironment(mechanism))).toBe('ok');

    const wrongPassword = join(scratch, `wrong-password-${uniqueSuffix()}`);
    writeFileSync(wrongPassword, 'not-the-password');
    expect(await readinessWith(securedEnvironment('SCRAM-SHA-512', { KAFKA_SASL_PASSWORD_FILE: wrongPassword }))).toMatch(
      /^SASL authentication failed: .*SCRAM.*\. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\)$/,
    );
    // Without the CA file the client trusts only public CAs, and refuses the broker's private one.
    const { KAFKA_SSL_CA_FILE: _ca, ...publicCasOnly } = securedEnvironment('SCRAM-SHA-512');
    expect(await readinessWith(publicCasOnly)).toMatch(/^TLS: the broker's certificate was not accepted \(\w+\): .*Check KAFKA_SSL_CA_FILE/);
  });

  it('presents a client certificate when one is configured: the broker accepts one its CA signed and refuses another', async () => {
    const directory = scratch;
    const name = `client-${uniqueSuffix()}`;
    const key = join(directory, `${name}-key.pem`);
    const request = join(directory, `${name}.csr`);
    const certificate = join(directory, `${name}.pem`);
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', request, '-subj', '/CN=earnings-client']);
    await signWithTestCa(listener, request, certificate);
    expect(await readinessWith(securedEnvironment('SCRAM-SHA-256', { KAFKA_SSL_CERT_FILE: certificate, KAFKA_SSL_KEY_FILE: key }))).toBe('ok');

    const strangerKey = join(directory, `${name}-stranger-key.pem`);
    const stranger = join(directory, `${name}-stranger.pem`);
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', strangerKey, '-out', stranger, '-days', '1', '-subj', '/CN=stranger']);
    expect(await readinessWith(securedEnvironment('SCRAM-SHA-256', { KAFKA_SSL_CERT_FILE: stranger, KAFKA_SSL_KEY_FILE: strangerKey }))).toBe(
      'TLS: the broker refused the client certificate (ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN). Check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: a certificate signed by a CA the broker trusts',
    );
  });

  describe('the services and setup over SASL_SSL with SCRAM-SHA-512', () => {
    let database: SuiteDatabase;
    let apps: RunningApps;
    const suffix = uniqueSuffix();
    const projectorGroup = `ledger-projector-sasl-${suffix}`;

    beforeAll(async () => {
      database = await createSuiteDatabase('sasl_ssl');
      await projectFromCurrentEnd(database.url, projectorGroup);
      apps = await startApps(['ingest', 'ledger-projector', 'query'], {
        ...securedEnvironment('SCRAM-SHA-512'), ...queryApiKey().env, DATABASE_URL: database.url, LOG_LEVEL: 'warn',
        PROJECTOR_CONSUMER_GROUP: projectorGroup, WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      });
    }, 120_000);

    afterAll(async () => {
      await apps?.stopAll();
      await database?.drop();
    });

    it('setup reaches the cluster and finds the topics in place', async () => {
      const { stdout } = await run(process.execPath, [join(workspaceRoot(), 'dist/tools/admin/setup.js')], {
        env: { ...process.env, ...securedEnvironment('SCRAM-SHA-512'), DATABASE_URL: database.url, LOG_LEVEL: 'info' },
      });
      expect(stdout).toContain('SASL_SSL, SASL SCRAM-SHA-512, TLS (CA ');
      expect(stdout).toContain('topics exist with their settings');
      expect(stdout).not.toContain(listener.password);
    });

    it('a signed Wildfire callback reaches a GraphQL balance: callback -> ingest -> projector -> query', async () => {
      const aui = `sasl-ssl-user-${suffix}`;
      const callback = signedWildfireCallback({ id: 9_250_001, aui, status: 'confirmed', amount: '12.34', eventDate: '2026-01-05T10:00:00Z', modifiedDate: '2026-01-05T10:00:00Z' });
      const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body });
      expect(response.status).toBe(200);

      const answer = await eventually(
        () => graphql<{ earnings: { balances: { unit: string; lifetime: string; pending: string }[] } }>(
          apps.url('query', '/graphql'), 'query ($aui: ID!) { earnings(aui: $aui) { balances { unit lifetime pending } } }', { aui }, queryApiKey().headers,
        ),
        (result) => (result.data?.earnings.balances.length ?? 0) > 0,
        60_000,
      );
      expect(answer.data?.earnings.balances).toEqual([{ unit: 'USD', lifetime: '12.34', pending: '12.34' }]);
      for (const app of ['ingest', 'ledger-projector', 'query'] as const) {
        const ready = (await (await fetch(apps.url(app, '/health/ready'))).json()) as { checks: Record<string, string> };
        expect(ready.checks.kafka).toBe('ok');
      }
    });
  });

  it('ingest with a wrong password stays up, not ready, and its readiness names the authentication failure', async () => {
    const database = await createSuiteDatabase('sasl_ssl_wrong_password');
    const wrongPassword = join(scratch, `wrong-password-${uniqueSuffix()}`);
    writeFileSync(wrongPassword, 'not-the-password\n');
    const port = await freePort();
    const ingest = startServiceProcess({
      workspaceRoot: workspaceRoot(), name: 'ingest', port, logFile: join(scratch, `ingest-wrong-password-${port}.log`),
      env: { ...securedEnvironment('SCRAM-SHA-512', { KAFKA_SASL_PASSWORD_FILE: wrongPassword }), DATABASE_URL: database.url, INGEST_PORT: String(port), WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY, LOG_LEVEL: 'warn' },
    });
    try {
      const ready = await eventually(
        async () => {
          const response = await fetch(`${ingest.baseUrl}/health/ready`).catch(() => null);
          return response ? { status: response.status, body: (await response.json()) as { checks?: Record<string, string> } } : null;
        },
        (answer) => answer !== null,
        60_000,
      );
      expect(ready?.status).toBe(503);
      expect(ready?.body.checks?.kafka).toMatch(/^SASL authentication failed: .*SCRAM-SHA-512.*Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
      expect(ready?.body.checks?.postgres).toBe('ok');
      expect((await fetch(`${ingest.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await ingest.stop();
      await database.drop();
    }
  });
});
