import { PipeTransform } from '@nestjs/common';
import { PayoutApiException } from '../errors/payout-api.exception';

/** As in the event schemas: an AUI is 1 to 200 characters. */
export const adminIdentifierLengthMax = 200;

/** Lone surrogates (not well-formed Unicode), control characters, and bidirectional overrides that make an id display as another. */
const forbiddenCharacters = /[\p{Cs}\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * An identifier from the admin API's path or query (an AUI, a payout id), checked before it
 * reaches SQL: PostgreSQL refuses NUL and lone surrogates in text, which answered 500 for input
 * that can never succeed, and control or bidi characters would be stored as another identity.
 */
export class AdminIdentifierPipe implements PipeTransform<unknown, string> {
  constructor(private readonly field: string) {}

  transform(value: unknown): string {
    if (typeof value !== 'string') throw new PayoutApiException('invalid-request', `${this.field} must be given once, as a string`);
    const length = [...value].length;
    if (length === 0 || length > adminIdentifierLengthMax || forbiddenCharacters.test(value)) {
      throw new PayoutApiException('invalid-request', `${this.field} must be 1 to ${adminIdentifierLengthMax} characters of well-formed Unicode without control or bidirectional-override characters`);
    }
    return value;
  }
}
