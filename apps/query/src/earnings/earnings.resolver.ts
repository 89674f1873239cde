import type { CommissionState } from '@earnings/contracts';
import { Args, Context, Query, Resolver, Subscription } from '@nestjs/graphql';
import { QueryContext } from '../graphql/query-context';
import { BalanceChangedNotice, earningsTopic } from '../live/balance-changes.consumer';
import { endAtTokenExpiry } from '../live/token-expiry';
import { EarningsView } from './earnings.repository';
import { EarningsSeries } from './earnings-history';
import { CommissionVersion, Connection, EarningsService, Payout, Transaction } from './earnings.service';
import { PayoutScheduleView } from './payout-schedule';

@Resolver('Earnings')
export class EarningsResolver {
  constructor(private readonly earnings: EarningsService) {}

  @Query('earnings')
  async earningsOf(@Args('aui') aui: string, @Context() context: QueryContext): Promise<EarningsView> {
    return this.earnings.earnings(context.caller, aui, context.earningsLoader);
  }

  @Query('transactions')
  async transactions(
    @Args('aui') aui: string,
    @Args('first') first: number | null,
    @Args('after') after: string | null,
    @Args('states') states: CommissionState[] | null,
    @Args('unit') unit: string | null,
    @Context() context: QueryContext,
  ): Promise<Connection<Transaction>> {
    return this.earnings.transactions(context.caller, aui, { first, after }, states ?? null, unit ?? null);
  }

  @Query('payouts')
  async payouts(@Args('aui') aui: string, @Args('first') first: number | null, @Args('after') after: string | null, @Context() context: QueryContext): Promise<Connection<Payout>> {
    return this.earnings.payouts(context.caller, aui, { first, after });
  }

  @Query('payoutSchedule')
  async payoutSchedule(@Args('aui') aui: string, @Context() context: QueryContext): Promise<PayoutScheduleView[]> {
    return this.earnings.payoutSchedule(context.caller, aui, context.earningsLoader, new Date());
  }

  @Query('earningsHistory')
  async earningsHistory(
    @Args('aui') aui: string,
    @Args('from') from: string | null,
    @Args('to') to: string | null,
    @Args('points') points: number | null,
    @Context() context: QueryContext,
  ): Promise<EarningsSeries[]> {
    return this.earnings.earningsHistory(context.caller, aui, { from, to, points }, new Date());
  }

  @Query('commissionHistory')
  async commissionHistory(
    @Args('aui') aui: string,
    @Args('source') source: string,
    @Args('commissionId') commissionId: string,
    @Context() context: QueryContext,
  ): Promise<CommissionVersion[]> {
    return this.earnings.commissionHistory(context.caller, aui, source, commissionId);
  }

  // The notice says only which AUI changed; the current figures are read when delivering, so a
  // subscriber always sees every unit, never one event's single unit.
  @Subscription('earningsUpdated', {
    resolve(this: EarningsResolver, notice: BalanceChangedNotice) {
      return this.earnings.currentEarnings(notice.aui);
    },
  })
  async earningsUpdated(@Args('aui') aui: string, @Context() context: QueryContext): Promise<AsyncIterableIterator<BalanceChangedNotice>> {
    this.earnings.assertCanSubscribe(context.caller, aui);
    const notices = await context.pubsub.subscribe<BalanceChangedNotice>(earningsTopic(aui));
    endAtTokenExpiry(context.caller, () => context.pubsub.close());
    return notices;
  }
}
