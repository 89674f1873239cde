import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { PayoutAdminService } from './payout-admin.service';
import { AdminTokenGuard } from './admin-token.guard';
import { ListPayoutsQueryDto, SetPayoutMethodDto } from './dtos/payout-method.dto';

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
  setMethod(@Param('aui') aui: string, @Body() body: SetPayoutMethodDto) {
    return this.admin.setMethod(aui, body);
  }

  /** A reward delivery the partner reversed (refund, cancelled credit): repeated calls change nothing. */
  @Post('payouts/:payoutId/reversal')
  @HttpCode(200)
  reverse(@Param('payoutId') payoutId: string) {
    return this.admin.reverseRewardDelivery(payoutId);
  }

  @Get('payouts')
  listPayouts(@Query() query: ListPayoutsQueryDto) {
    return this.admin.payoutsOf(query.aui);
  }
}
