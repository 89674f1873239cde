import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KafkaSaslMechanism } from '@earnings/kafka';

const run = promisify(execFile);

/**
 * The test broker's second listener, SASL_SSL, as a managed Kafka offers it: TLS with a
 * certificate from a private CA (made with keytool at start), and one user known to PLAIN,
 * SCRAM-SHA-256 and SCRAM-SHA-512. Clients may present a certificate signed by the same CA
 * (`ssl.client.auth=requested`): one that is not signed by it is refused.
 */
export interface SaslSslListener {
  /** host:port of the SASL_SSL listener (KAFKA_BROKERS for a client of it). */
  brokers: string;
  /** The CA that signed the broker's certificate, PEM (KAFKA_SSL_CA_FILE). */
  caFile: string;
  /** The CA's keystore (PKCS12), so a test can sign a client certificate with it. */
  caKeystore: { file: string; password: string };
  username: string;
  password: string;
  mechanisms: KafkaSaslMechanism[];
}

/** Underscores only: the PLAIN login module's JAAS options are named after the user. */
const username = 'earnings_test';
const mechanisms: KafkaSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const validityDays = '7';
/** keytool is a JVM: these halve its start-up, which is most of each call. */
const keytoolJvmOptions = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC'];

export interface SaslSslListenerPlan {
  listener: SaslSslListener;
  /** The broker's keystore (PKCS12) with its key and the CA-signed certificate. */
  brokerKeystore: { file: string; password: string };
  /** `kafka-storage format` arguments that create the user's SCRAM credentials with the cluster's metadata. */
  formatArguments: string[];
}

/** Names the files and the user's password; nothing is written yet. */
export function planSaslSslListener(port: number, directory: string): SaslSslListenerPlan {
  const password = randomBytes(18).toString('hex');
  const keystorePassword = randomBytes(18).toString('hex');
  return {
    listener: {
      brokers: `127.0.0.1:${port}`,
      caFile: join(directory, 'ca.pem'),
      caKeystore: { file: join(directory, 'ca.p12'), password: keystorePassword },
      username,
      password,
      mechanisms,
    },
    brokerKeystore: { file: join(directory, 'broker.p12'), password: keystorePassword },
    formatArguments: ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${username},password=${password}]`]),
  };
}

/**
 * A CA, and a broker certificate it signs for 127.0.0.1 and localhost: six keytool calls in four
 * rounds (the CA's and the broker's steps side by side), about 2 s beside the storage format.
 */
export async function makeListenerCertificates(plan: SaslSslListenerPlan, directory: string): Promise<void> {
  const { caKeystore, caFile } = plan.listener;
  const broker = plan.brokerKeystore;
  const brokerRequest = join(directory, 'broker.csr');
  const brokerCertificate = join(directory, 'broker.pem');
  const keyPair = ['-genkeypair', '-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', validityDays, '-storetype', 'PKCS12', '-noprompt'];
  await Promise.all([
    keytool([...keyPair, '-alias', 'ca', '-dname', 'CN=earnings-ledger test CA', '-ext', 'bc:c', '-keystore', caKeystore.file, '-storepass', caKeystore.password])
      .then(() => keytool(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', caKeystore.file, '-storepass', caKeystore.password, '-file', caFile])),
    keytool([...keyPair, '-alias', 'broker', '-dname', 'CN=localhost', '-keystore', broker.file, '-storepass', broker.password])
      .then(() => keytool(['-certreq', '-alias', 'broker', '-keystore', broker.file, '-storepass', broker.password, '-file', brokerRequest])),
  ]);
  await signWithTestCa(plan.listener, brokerRequest, brokerCertificate, 'SAN=dns:localhost,ip:127.0.0.1');
  // The reply with its chain (the broker's certificate, then the CA's), so the broker presents both.
  writeFileSync(brokerCertificate, readFileSync(brokerCertificate, 'utf8') + readFileSync(caFile, 'utf8'));
  await keytool(['-importcert', '-noprompt', '-alias', 'broker', '-file', brokerCertificate, '-keystore', broker.file, '-storepass', broker.password]);
}

/** Signs a certificate request (PKCS#10, PEM) with the listener's CA; the certificate is written as PEM. */
export async function signWithTestCa(listener: SaslSslListener, requestFile: string, certificateFile: string, extension?: string): Promise<void> {
  const { file, password } = listener.caKeystore;
  await keytool(['-gencert', '-rfc', '-alias', 'ca', '-keystore', file, '-storepass', password, '-validity', validityDays, '-infile', requestFile, '-outfile', certificateFile, ...(extension ? ['-ext', extension] : [])]);
}

/** The broker properties of the listener (added to the PLAINTEXT and CONTROLLER ones). */
export function saslSslListenerProperties(plan: SaslSslListenerPlan): string[] {
  const { listener, brokerKeystore } = plan;
  const prefix = 'listener.name.sasl_ssl';
  return [
    `${prefix}.sasl.enabled.mechanisms=${listener.mechanisms.join(',')}`,
    `${prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${listener.username}="${listener.password}";`,
    `${prefix}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.ssl.keystore.type=PKCS12`,
    `${prefix}.ssl.keystore.location=${brokerKeystore.file}`,
    `${prefix}.ssl.keystore.password=${brokerKeystore.password}`,
    `${prefix}.ssl.key.password=${brokerKeystore.password}`,
    `${prefix}.ssl.truststore.type=PEM`,
    `${prefix}.ssl.truststore.location=${listener.caFile}`,
    `${prefix}.ssl.client.auth=requested`,
  ];
}

async function keytool(args: string[]): Promise<void> {
  try {
    await run('keytool', [...keytoolJvmOptions, ...args]);
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`keytool ${args[0]} failed (keytool comes with Java 17): ${(failure.stderr || failure.stdout || 'no output').trim()}`);
  }
}
