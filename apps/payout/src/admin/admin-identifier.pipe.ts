import { PipeTransform } from '@nestjs/common';
import { IdentifierKind, identifierProblem } from '@earnings/domain';
import { PayoutApiException } from '../errors/payout-api.exception';

/**
 * An identifier from the admin API's path or query (an AUI, a payout id), held to the one rule
 * for identifiers before it reaches SQL: PostgreSQL refuses NUL and lone surrogates in text,
 * which answered 500 for input that can never succeed, and control or bidi characters would be
 * stored as another identity.
 */
export class AdminIdentifierPipe implements PipeTransform<unknown, string> {
  constructor(private readonly field: string, private readonly kind: IdentifierKind) {}

  transform(value: unknown): string {
    if (typeof value !== 'string') throw new PayoutApiException('invalid-request', `${this.field} must be given once, as a string`);
    const problem = identifierProblem(value, this.kind);
    if (problem !== null) throw new PayoutApiException('invalid-request', `${this.field} ${problem}`);
    return value;
  }
}
