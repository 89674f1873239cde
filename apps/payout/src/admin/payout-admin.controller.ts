import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { PayoutAdminService } from './payout-admin.service';
import { AdminIdentifierPipe } from './admin-identifier.pipe';
import { AdminTokenGuard } from './admin-token.guard';
import { ListPayoutsQueryDto, SetPayoutMethodDto } from './dtos/payout-method.dto';
import { GiveUpRewardDeliveryDto, ListRewardFulfilmentsQueryDto } from './dtos/reward-fulfilments.dto';

/** The partner's backend: runs on demand, payout methods, and the payouts of a user. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class PayoutAdminController {
  constructor(@Inject(PayoutAdminService) private readonly admin: PayoutAdminService) {}

  @Post('payout-runs')
  @HttpCode(201)
  startRun() {
    return this.admin.runNow();
  }

  @Put('users/:aui/payout-method')
  setMethod(@Param('aui', new AdminIdentifierPipe('aui', 'aui')) aui: string, @Body() body: SetPayoutMethodDto) {
    return this.admin.setMethod(aui, body);
  }

  /** A reward delivery the partner reversed (refund, cancelled credit): repeated calls change nothing. */
  @Post('payouts/:payoutId/reversal')
  @HttpCode(200)
  reverse(@Param('payoutId', new AdminIdentifierPipe('payoutId', 'id')) payoutId: string) {
    return this.admin.reverseRewardDelivery(payoutId);
  }

  /** A reward delivery the partner's endpoint keeps refusing (it is retried until delivered or given up here). */
  @Post('payouts/:payoutId/give-up')
  @HttpCode(200)
  giveUp(@Param('payoutId', new AdminIdentifierPipe('payoutId', 'id')) payoutId: string, @Body() body: GiveUpRewardDeliveryDto) {
    return this.admin.giveUpRewardDelivery(payoutId, body.reason);
  }

  /** Per FirstPromoter commission: marked, in a batch, retrying (with the last error), refused for good, reversed, unmarked. */
  @Get('reward-fulfilments')
  rewardFulfilments(@Query() query: ListRewardFulfilmentsQueryDto) {
    return this.admin.rewardFulfilments(query.state ?? null);
  }

  @Get('payouts')
  /** The DTO refuses unknown or repeated parameters; the pipe checks the AUI's characters. */
  listPayouts(@Query() _query: ListPayoutsQueryDto, @Query('aui', new AdminIdentifierPipe('aui', 'aui')) aui: string) {
    return this.admin.payoutsOf(aui);
  }
}
