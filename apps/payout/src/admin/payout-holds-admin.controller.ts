import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { PayoutHoldsService } from '../holds/payout-holds.service';
import { AdminActor } from './admin-actor';
import { AdminIdentifierPipe } from './admin-identifier.pipe';
import { AdminTokenGuard } from './admin-token.guard';
import { DecideFlaggedCommissionDto, ListFlaggedCommissionsQueryDto, ListPayoutReviewsQueryDto, LiftSecurityHoldDto, ReviewPayoutsDto } from './dtos/payout-holds.dto';

/** Money the rules hold, and the operator's decisions on it: payout reviews, security holds, fraud-flagged commissions. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class PayoutHoldsAdminController {
  constructor(@Inject(PayoutHoldsService) private readonly holds: PayoutHoldsService) {}

  /** Payouts waiting for review (PAYOUT_REVIEW), optionally of one run. */
  @Get('payout-reviews')
  inReview(@Query() query: ListPayoutReviewsQueryDto) {
    return this.holds.inReview(query.runId ?? null);
  }

  @Post('payouts/:payoutId/review')
  @HttpCode(200)
  reviewPayout(
    @Param('payoutId', new AdminIdentifierPipe('payoutId', 'id')) payoutId: string, @Body() body: ReviewPayoutsDto, @AdminActor() actor: string,
  ) {
    return this.holds.review({ payoutId }, body.decision, actor, body.reason);
  }

  /** Every payout of the run still waiting for review, at once. */
  @Post('payout-runs/:runId/review')
  @HttpCode(200)
  reviewRun(@Param('runId', new AdminIdentifierPipe('runId', 'id')) runId: string, @Body() body: ReviewPayoutsDto, @AdminActor() actor: string) {
    return this.holds.review({ runId }, body.decision, actor, body.reason);
  }

  /** The hold a change of payout method put on the user's payouts: until when, and who lifted it, when and why. */
  @Get('users/:aui/security-hold')
  securityHold(@Param('aui', new AdminIdentifierPipe('aui', 'aui')) aui: string) {
    return this.holds.securityHold(aui);
  }

  /** Ends the hold a change of payout method put on the user's payouts. */
  @Post('users/:aui/security-hold/lift')
  @HttpCode(200)
  liftSecurityHold(@Param('aui', new AdminIdentifierPipe('aui', 'aui')) aui: string, @Body() body: LiftSecurityHoldDto, @AdminActor() actor: string) {
    return this.holds.liftSecurityHold(aui, actor, body.reason);
  }

  /** Commissions a fraud check flagged, newest first: held, cleared or rejected, with who decided and when. */
  @Get('flagged-commissions')
  flagged(@Query() query: ListFlaggedCommissionsQueryDto) {
    return this.holds.flagsOf(query.decision ?? null);
  }

  @Post('flagged-commissions/:source/:commissionId/review')
  @HttpCode(200)
  decideFlag(
    @Param('source', new AdminIdentifierPipe('source', 'id')) source: string, @Param('commissionId', new AdminIdentifierPipe('commissionId', 'id')) commissionId: string,
    @Body() body: DecideFlaggedCommissionDto, @AdminActor() actor: string,
  ) {
    return this.holds.decideFlag(source, commissionId, body.decision, actor, body.reason);
  }
}
