import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@earnings/service-shell';
import { explainKafkaFailure, kafkaSecurityFromEnvironment } from '../kafka-security';

const fixtures = join(__dirname, 'tls-fixtures');
const fixture = (name: string) => join(fixtures, name);
const secret = 'p4ss-w0rd-never-printed';

function problemsOf(environment: NodeJS.ProcessEnv): string[] {
  try {
    kafkaSecurityFromEnvironment(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toContain(secret);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('Kafka security from the environment', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is PLAINTEXT with nothing set, as on a developer machine', () => {
    expect(kafkaSecurityFromEnvironment({})).toMatchObject({ protocol: 'PLAINTEXT', ssl: false, sasl: undefined });
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ] as const)('SASL_SSL with %s: a CA file, the credentials, and a description without them', (mechanism, kafkajsMechanism) => {
    const security = kafkaSecurityFromEnvironment({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'earnings', KAFKA_SASL_PASSWORD: secret, KAFKA_SSL_CA_FILE: fixture('ca.pem'),
    });
    expect(security.sasl).toEqual({ mechanism: kafkajsMechanism, username: 'earnings', password: secret });
    expect(security.ssl).toEqual({ ca: readFileSync(fixture('ca.pem'), 'utf8') });
    expect(security.description).toBe(`SASL_SSL, SASL ${mechanism}, TLS (CA ${fixture('ca.pem')})`);
    expect(security.description).not.toContain('earnings');
    expect(security.warning).toBeNull();
  });

  it('reads the password from a mounted file, without the newline a Secret written with echo ends in', () => {
    const file = join(scratch, 'password');
    writeFileSync(file, ` ${secret}\n`);
    const security = kafkaSecurityFromEnvironment({ KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'earnings', KAFKA_SASL_PASSWORD_FILE: file });
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'earnings', password: ` ${secret}` });
    // No CA file: the public CAs Node trusts (Confluent Cloud, MSK).
    expect(security.ssl).toEqual({});
    expect(security.description).toBe('SASL_SSL, SASL SCRAM-SHA-512, TLS (public CAs)');
  });

  it('TLS with a client certificate (mutual TLS, as Aiven or a Strimzi tls listener use)', () => {
    const security = kafkaSecurityFromEnvironment({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: fixture('ca.pem'), KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('client-key.pem') });
    expect(security).toMatchObject({ protocol: 'SSL', sasl: undefined, ssl: { cert: readFileSync(fixture('client.pem'), 'utf8'), key: readFileSync(fixture('client-key.pem'), 'utf8') } });
    expect(security.description).toBe(`SSL, TLS (CA ${fixture('ca.pem')}, client certificate ${fixture('client.pem')})`);
  });

  it('warns when PLAIN would send the password unencrypted', () => {
    const security = kafkaSecurityFromEnvironment({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'earnings', KAFKA_SASL_PASSWORD: secret });
    expect(security.ssl).toBe(false);
    expect(security.warning).toMatch(/unencrypted/);
  });

  it('names every missing or contradictory setting at once, never the password', () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toEqual([
      'KAFKA_SASL_MECHANISM: required with SASL: one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
      'KAFKA_SASL_USERNAME: required with SASL',
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with SASL',
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: secret, KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka-password' })).toEqual([
      'KAFKA_SASL_MECHANISM: must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (got "GSSAPI")',
      'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: both set; set one (the file, mounted from a Secret, is preferred)',
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toEqual(['KAFKA_SECURITY_PROTOCOL: must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (got "TLS")']);
  });

  it('refuses credentials or certificates the protocol would silently not use', () => {
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'earnings', KAFKA_SASL_PASSWORD: secret, KAFKA_SSL_CA_FILE: fixture('ca.pem') })).toEqual([
      'KAFKA_SASL_USERNAME: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT; use SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL',
      'KAFKA_SASL_PASSWORD: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT; use SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL',
      'KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT; use SSL or SASL_SSL to connect with TLS',
    ]);
  });

  it('checks the files: present, PEM, not expired, key matching certificate, key not encrypted, password on one line', () => {
    const emptyPassword = join(scratch, 'empty-password');
    writeFileSync(emptyPassword, '\n');
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: emptyPassword, KAFKA_SSL_CA_FILE: join(scratch, 'missing.pem') })).toEqual([
      `KAFKA_SASL_PASSWORD_FILE: ${emptyPassword} must hold the password on one line`,
      `KAFKA_SSL_CA_FILE: ${join(scratch, 'missing.pem')} does not exist`,
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: fixture('client-key.pem') })).toEqual([`KAFKA_SSL_CA_FILE: ${fixture('client-key.pem')} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: fixture('expired.pem') })).toEqual([
      `KAFKA_SSL_CA_FILE: the certificate in ${fixture('expired.pem')} (CN=expired-test) expired on 2001-01-02T00:30:40.000Z`,
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('other-key.pem') })).toEqual([
      `KAFKA_SSL_KEY_FILE: the key in ${fixture('other-key.pem')} does not belong to the certificate in ${fixture('client.pem')}`,
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: fixture('client.pem'), KAFKA_SSL_KEY_FILE: fixture('encrypted-key.pem') })[0]).toMatch(/^KAFKA_SSL_KEY_FILE: .*encrypted-key.pem is an encrypted key; give an unencrypted PEM key/);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: fixture('client.pem') })).toEqual(["KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE (the client certificate's private key, PEM)"]);
  });
});

describe('a Kafka connection failure, explained for the readiness reason', () => {
  it('names the variables to check when the broker refused the credentials, through kafkajs\' wrapping', () => {
    const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'), { name: 'KafkaJSSASLAuthenticationError' });
    const wrapped = Object.assign(new Error(refused.message), { name: 'KafkaJSNonRetriableError', cause: refused });
    expect(explainKafkaFailure(wrapped)).toBe(`SASL authentication failed: ${refused.message}. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`);
  });

  it('points at the CA file when the broker\'s certificate is not trusted, at the client certificate when the broker refuses it, and passes other failures through', () => {
    const untrusted = Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), { name: 'KafkaJSConnectionError', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(explainKafkaFailure(untrusted)).toMatch(/^TLS: the broker's certificate was not accepted \(SELF_SIGNED_CERT_IN_CHAIN\): .*Check KAFKA_SSL_CA_FILE/);
    const refusedCertificate = Object.assign(new Error('Connection error: ...:SSL alert number 42'), { name: 'KafkaJSConnectionError', code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' });
    expect(explainKafkaFailure(refusedCertificate)).toMatch(/^TLS: the broker refused the client certificate \(ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE\)\. Check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/);
    expect(explainKafkaFailure(Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }))).toBe('Connection timeout');
  });
});
