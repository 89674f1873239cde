import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { QueryContext } from '../graphql/query-context';
import { Statement, StatementService } from './statement.service';

@Resolver('Statement')
export class StatementResolver {
  constructor(private readonly statements: StatementService) {}

  @Query('statement')
  async statement(
    @Args('aui') aui: string,
    @Args('unit') unit: string,
    @Args('from') from: string | null,
    @Args('to') to: string | null,
    @Args('first') first: number | null,
    @Args('after') after: string | null,
    @Context() context: QueryContext,
  ): Promise<Statement> {
    return this.statements.statement(context.caller, aui, { unit, from, to, first, after });
  }
}
