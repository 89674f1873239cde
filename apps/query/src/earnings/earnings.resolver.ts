import { Args, Query, Resolver } from '@nestjs/graphql';
import { EarningsRepository, EarningsView } from './earnings.repository';

@Resolver('Earnings')
export class EarningsResolver {
  constructor(private readonly earnings: EarningsRepository) {}

  @Query('earnings')
  async earningsOf(@Args('aui') aui: string): Promise<EarningsView> {
    return this.earnings.earningsOf(aui);
  }
}
