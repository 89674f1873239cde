/** Why a FirstPromoter API call failed; callers branch on the code, never on the message. */
export const FirstPromoterApiErrorCodes = [
  'invalid-argument',
  'unauthorized',
  'forbidden',
  'not-found',
  'invalid-request',
  'rate-limited',
  'server-error',
  'unexpected-status',
  'timeout',
  'network',
  'bad-response',
  'batch-failed',
  'batch-stopped',
  'batch-partially-failed',
  'batch-poll-exhausted',
] as const;
export type FirstPromoterApiErrorCode = (typeof FirstPromoterApiErrorCodes)[number];

/** Worth trying again later with the same request. */
export function isRetryableCode(code: FirstPromoterApiErrorCode): boolean {
  switch (code) {
    case 'rate-limited':
    case 'server-error':
    case 'timeout':
    case 'network':
    case 'batch-poll-exhausted':
      return true;
    case 'invalid-argument':
    case 'unauthorized':
    case 'forbidden':
    case 'not-found':
    case 'invalid-request':
    case 'unexpected-status':
    case 'bad-response':
    case 'batch-failed':
    case 'batch-stopped':
    case 'batch-partially-failed':
      return false;
  }
}

export interface FirstPromoterApiErrorDetails {
  status?: number;
  /** FirstPromoter's own error code (`ErrorResponse.code`), when it sent one. */
  serverCode?: string;
  batchId?: number;
  failedCount?: number;
  processingErrors?: readonly string[];
}

export class FirstPromoterApiError extends Error {
  override readonly name = 'FirstPromoterApiError';
  readonly retryable: boolean;

  constructor(
    readonly code: FirstPromoterApiErrorCode,
    message: string,
    readonly details: FirstPromoterApiErrorDetails = {},
  ) {
    super(message);
    this.retryable = isRetryableCode(code);
  }
}

/**
 * Every message and server text passes through here before it reaches an error, so the API key
 * cannot leak into logs even if a server or proxy echoes the request headers back.
 */
export function scrubSecret(text: string, apiKey: string): string {
  const withoutKey = apiKey.length > 0 ? text.split(apiKey).join('[redacted]') : text;
  return withoutKey.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer [redacted]');
}
