import { hmacSha256Hex, secretsEqual } from '../signatures/hmac-signature';

/** What Wildfire issues a partner application for the Commission API. */
export interface Wfav1Credentials {
  appId: string;
  appSecret: string;
  deviceToken: string;
  /** May be empty: the signature then covers an empty line. */
  senderToken: string;
}

export interface Wfav1Headers {
  Authorization: string;
  'X-WF-DateTime': string;
}

export type Wfav1Verdict = { ok: true } | { ok: false; reason: string };

/** Header values as Node and Fastify hand them over (names in any letter case). */
export type Wfav1IncomingHeaders = Record<string, string | string[] | undefined>;

const scheme = 'WFAV1';
const isoUtcDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * `Authorization: WFAV1 {app_id}:{signature}:{device_token}:{sender_token}` plus `X-WF-DateTime`,
 * where signature = hex HMAC-SHA256 of `{datetime}\n{device_token}\n{sender_token}\n` under the
 * app secret. `now` is passed in so callers (and tests) control the signed time.
 */
export function wfav1Headers(input: Wfav1Credentials & { now: Date }): Wfav1Headers {
  const dateTime = input.now.toISOString();
  const signature = wfav1Signature(input.appSecret, dateTime, input.deviceToken, input.senderToken);
  return {
    Authorization: `${scheme} ${input.appId}:${signature}:${input.deviceToken}:${input.senderToken}`,
    'X-WF-DateTime': dateTime,
  };
}

export function wfav1Signature(appSecret: string, dateTime: string, deviceToken: string, senderToken: string): string {
  return hmacSha256Hex(appSecret, `${dateTime}\n${deviceToken}\n${senderToken}\n`);
}

/**
 * The server side of WFAV1 (the partner simulator uses it). Checks the scheme, the app id and
 * tokens, the signature over the exact `X-WF-DateTime` text received, and that this time is
 * within `skewMsMax` of `now`, so a captured header cannot be replayed for long.
 */
export function verifyWfav1(headers: Wfav1IncomingHeaders, credentials: Wfav1Credentials, now: Date, skewMsMax: number): Wfav1Verdict {
  const authorization = headerValue(headers, 'authorization');
  const dateTime = headerValue(headers, 'x-wf-datetime');
  if (authorization === undefined) return refuse('the Authorization header is missing');
  if (dateTime === undefined) return refuse('the X-WF-DateTime header is missing');
  const parts = parseAuthorization(authorization);
  if (parts === null) return refuse(`the Authorization header is not "${scheme} app_id:signature:device_token:sender_token"`);
  const skewProblem = checkSkew(dateTime, now, skewMsMax);
  if (skewProblem !== null) return refuse(skewProblem);
  const expected = wfav1Signature(credentials.appSecret, dateTime, credentials.deviceToken, credentials.senderToken);
  // Every comparison runs whatever the outcome, so the time taken does not reveal which part was wrong.
  const matches = [
    secretsEqual(parts.appId, credentials.appId),
    secretsEqual(parts.deviceToken, credentials.deviceToken),
    secretsEqual(parts.senderToken, credentials.senderToken),
    secretsEqual(parts.signature.toLowerCase(), expected),
  ];
  return matches.every(Boolean) ? { ok: true } : refuse('the WFAV1 credentials or signature do not match');
}

interface AuthorizationParts {
  appId: string;
  signature: string;
  deviceToken: string;
  senderToken: string;
}

function parseAuthorization(value: string): AuthorizationParts | null {
  const trimmed = value.trim();
  if (!trimmed.toUpperCase().startsWith(`${scheme} `)) return null;
  const fields = trimmed.slice(scheme.length + 1).trim().split(':');
  if (fields.length !== 4) return null;
  const [appId, signature, deviceToken, senderToken] = fields;
  if (appId === '' || !/^[0-9a-fA-F]{64}$/.test(signature)) return null;
  return { appId, signature, deviceToken, senderToken };
}

function checkSkew(dateTime: string, now: Date, skewMsMax: number): string | null {
  if (!isoUtcDateTime.test(dateTime)) return 'X-WF-DateTime is not an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z)';
  const signedAtMs = Date.parse(dateTime);
  if (Number.isNaN(signedAtMs)) return 'X-WF-DateTime is not a valid time';
  const skewMs = Math.abs(now.getTime() - signedAtMs);
  return skewMs > skewMsMax ? `X-WF-DateTime is ${skewMs} ms away from the server clock (at most ${skewMsMax} ms allowed)` : null;
}

function headerValue(headers: Wfav1IncomingHeaders, lowerCaseName: string): string | undefined {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === lowerCaseName);
  const value = name === undefined ? undefined : headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(reason: string): Wfav1Verdict {
  return { ok: false, reason };
}
