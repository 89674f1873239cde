import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@earnings/service-shell';

/** The security protocols of Kafka's own clients, with the same names (`security.protocol`). */
export const kafkaSecurityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof kafkaSecurityProtocols)[number];

/** The SASL mechanisms supported, with Kafka's names (`sasl.mechanism`). */
export const kafkaSaslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof kafkaSaslMechanisms)[number];

/** SASL credentials, in the form the Kafka client takes them (its own type stays inside libs/kafka). */
export type SaslCredentials = { username: string; password: string } & ({ mechanism: 'plain' } | { mechanism: 'scram-sha-256' } | { mechanism: 'scram-sha-512' });

/**
 * How a client reaches the cluster: TLS and SASL as kafkajs takes them, and a description that
 * names the protocol, the mechanism and the files used, never a credential.
 */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  ssl: ConnectionOptions | false;
  sasl: SaslCredentials | undefined;
  /** For the log and for error messages: no username, password or key material. */
  description: string;
  /** Set when the settings work but deserve an operator's attention (PLAIN without TLS). */
  warning: string | null;
}

/** The variables read, all optional: PLAINTEXT when none is set. */
export const kafkaSecurityVariables = [
  'KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE',
] as const;

const plaintext: KafkaSecurity = { protocol: 'PLAINTEXT', ssl: false, sasl: undefined, description: 'PLAINTEXT (no TLS, no authentication)', warning: null };

/**
 * Reads Kafka's security settings from the environment (credentials directly or from mounted
 * files) and checks them all at once: a service refuses to start with a ConfigError naming every
 * bad variable, rather than failing its first connection with a TLS or SASL error. Error
 * messages name variables and files, never their contents.
 */
export function kafkaSecurityFromEnvironment(environment: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const problems: string[] = [];
  const value = (name: (typeof kafkaSecurityVariables)[number]): string => environment[name]?.trim() ?? '';
  const protocolName = value('KAFKA_SECURITY_PROTOCOL').toUpperCase() || 'PLAINTEXT';
  if (!isOneOf(kafkaSecurityProtocols, protocolName)) {
    throw new ConfigError([`KAFKA_SECURITY_PROTOCOL: must be one of ${kafkaSecurityProtocols.join(', ')} (got ${JSON.stringify(value('KAFKA_SECURITY_PROTOCOL'))})`]);
  }
  const protocol: KafkaSecurityProtocol = protocolName;
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  // Set but unused is a mistake worth stopping for: the client would connect without what the operator meant to give it.
  const saslVariables = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const;
  const tlsVariables = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;
  for (const name of usesSasl ? [] : saslVariables) {
    if (value(name)) problems.push(`${name}: set, but KAFKA_SECURITY_PROTOCOL is ${protocol}; use SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL`);
  }
  for (const name of usesTls ? [] : tlsVariables) {
    if (value(name)) problems.push(`${name}: set, but KAFKA_SECURITY_PROTOCOL is ${protocol}; use SSL or SASL_SSL to connect with TLS`);
  }
  const sasl = usesSasl ? readSasl(value, environment, problems) : undefined;
  const tls = usesTls ? readTls(value, problems) : null;
  if (problems.length > 0) throw new ConfigError(problems);
  if (protocol === 'PLAINTEXT') return plaintext;
  const parts = [protocol, sasl ? `SASL ${sasl.mechanismName}` : null, tls?.description ?? null].filter((part) => part !== null);
  return {
    protocol,
    ssl: tls?.options ?? false,
    sasl: sasl?.options,
    description: parts.join(', '),
    warning: protocol === 'SASL_PLAINTEXT' && sasl?.mechanismName === 'PLAIN' ? 'SASL PLAIN over SASL_PLAINTEXT sends the password unencrypted: use SASL_SSL outside a trusted network' : null,
  };
}

function readSasl(value: (name: (typeof kafkaSecurityVariables)[number]) => string, environment: NodeJS.ProcessEnv, problems: string[]): { options: SaslCredentials; mechanismName: KafkaSaslMechanism } | undefined {
  const mechanismName = value('KAFKA_SASL_MECHANISM').toUpperCase();
  const count = problems.length;
  if (!mechanismName) problems.push(`KAFKA_SASL_MECHANISM: required with SASL: one of ${kafkaSaslMechanisms.join(', ')}`);
  else if (!isOneOf(kafkaSaslMechanisms, mechanismName)) problems.push(`KAFKA_SASL_MECHANISM: must be one of ${kafkaSaslMechanisms.join(', ')} (got ${JSON.stringify(value('KAFKA_SASL_MECHANISM'))})`);
  const username = value('KAFKA_SASL_USERNAME');
  if (!username) problems.push('KAFKA_SASL_USERNAME: required with SASL');
  const password = readPassword(environment, value('KAFKA_SASL_PASSWORD_FILE'), problems);
  if (problems.length > count || password === null || !isOneOf(kafkaSaslMechanisms, mechanismName)) return undefined;
  const mechanism = ({ PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const)[mechanismName];
  return { options: { mechanism, username, password }, mechanismName };
}

/** The password as given (never trimmed: spaces may belong to it), or the first line of a mounted file. */
function readPassword(environment: NodeJS.ProcessEnv, file: string, problems: string[]): string | null {
  const direct = environment.KAFKA_SASL_PASSWORD ?? '';
  if (direct !== '' && file !== '') {
    problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: both set; set one (the file, mounted from a Secret, is preferred)');
    return null;
  }
  if (direct !== '') return direct;
  if (file === '') {
    problems.push('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with SASL');
    return null;
  }
  const content = readTextFile('KAFKA_SASL_PASSWORD_FILE', file, problems);
  if (content === null) return null;
  // A Secret written with `echo` ends in a newline that is not part of the password.
  const password = content.replace(/\r?\n$/, '');
  if (password === '' || password.includes('\n')) {
    problems.push(`KAFKA_SASL_PASSWORD_FILE: ${file} must hold the password on one line`);
    return null;
  }
  return password;
}

function readTls(value: (name: (typeof kafkaSecurityVariables)[number]) => string, problems: string[]): { options: ConnectionOptions; description: string } {
  const options: ConnectionOptions = {};
  const described: string[] = [];
  const caFile = value('KAFKA_SSL_CA_FILE');
  if (caFile) {
    const ca = readCertificates('KAFKA_SSL_CA_FILE', caFile, problems);
    if (ca) options.ca = ca;
    described.push(`CA ${caFile}`);
  } else {
    described.push('public CAs');
  }
  const certFile = value('KAFKA_SSL_CERT_FILE');
  const keyFile = value('KAFKA_SSL_KEY_FILE');
  if (certFile && !keyFile) problems.push('KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE (the client certificate\'s private key, PEM)');
  if (keyFile && !certFile) problems.push('KAFKA_SSL_CERT_FILE: required with KAFKA_SSL_KEY_FILE (the client certificate, PEM)');
  if (certFile && keyFile) {
    const cert = readCertificates('KAFKA_SSL_CERT_FILE', certFile, problems);
    const key = readPrivateKey(keyFile, problems);
    if (cert && key) {
      if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) problems.push(`KAFKA_SSL_KEY_FILE: the key in ${keyFile} does not belong to the certificate in ${certFile}`);
      options.cert = cert;
      options.key = key;
    }
    described.push(`client certificate ${certFile}`);
  }
  return { options, description: `TLS (${described.join(', ')})` };
}

/** PEM certificates, the first of which parses and has not expired. */
function readCertificates(name: string, file: string, problems: string[]): string | null {
  const content = readTextFile(name, file, problems);
  if (content === null) return null;
  if (!content.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push(`${name}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return null;
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(content);
  } catch (error) {
    problems.push(`${name}: ${file} is not a readable PEM certificate (${(error as Error).message})`);
    return null;
  }
  if (Date.parse(certificate.validTo) < Date.now()) {
    problems.push(`${name}: the certificate in ${file} (${certificate.subject.replace(/\n/g, ', ')}) expired on ${new Date(certificate.validTo).toISOString()}`);
    return null;
  }
  return content;
}

function readPrivateKey(file: string, problems: string[]): string | null {
  const content = readTextFile('KAFKA_SSL_KEY_FILE', file, problems);
  if (content === null) return null;
  try {
    createPrivateKey(content);
    return content;
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(content) || /passphrase/i.test((error as Error).message);
    problems.push(encrypted
      ? `KAFKA_SSL_KEY_FILE: ${file} is an encrypted key; give an unencrypted PEM key (e.g. openssl pkey -in key.pem -out key-plain.pem), kept in a Secret`
      : `KAFKA_SSL_KEY_FILE: ${file} is not a readable PEM private key`);
    return null;
  }
}

function readTextFile(name: string, file: string, problems: string[]): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this process' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (error as Error).message})`;
    problems.push(`${name}: ${file} ${why}`);
    return null;
  }
}

function isOneOf<T extends string>(allowed: readonly T[], candidate: string): candidate is T {
  return (allowed as readonly string[]).includes(candidate);
}

/** Node's TLS verification codes that mean "the broker's certificate is not one we trust". */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** OpenSSL's codes for the broker's TLS alerts that mean "your client certificate is not one I accept" (or none was sent). */
const refusedClientCertificateCodes = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

/**
 * A Kafka connection failure in words an operator can act on: which variables to check when the
 * broker refused the credentials or the client refused the broker's certificate. Used as the
 * readiness reason; kafkajs' own message is kept, and it never holds a credential.
 */
export function explainKafkaFailure(error: Error & { code?: string }): string {
  const message = error.message.split('\n')[0];
  // kafkajs wraps what its retries gave up on; the cause says what happened.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause !== error && error.name !== 'KafkaJSSASLAuthenticationError' && error.code === undefined) return explainKafkaFailure(cause);
  if (error.name === 'KafkaJSSASLAuthenticationError') {
    return `SASL authentication failed: ${message}. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`;
  }
  if (error.code !== undefined && untrustedCertificateCodes.has(error.code)) {
    return `TLS: the broker's certificate was not accepted (${error.code}): ${message}. Check KAFKA_SSL_CA_FILE (the CA that signed the broker's certificate) and that KAFKA_BROKERS names the hosts on it`;
  }
  if (error.code !== undefined && refusedClientCertificateCodes.has(error.code)) {
    return `TLS: the broker refused the client certificate (${error.code}). Check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: a certificate signed by a CA the broker trusts`;
  }
  return message;
}
