import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { PayoutApiException } from '../errors/payout-api.exception';
import { FirstPromoterApprovalService } from '../rewards/firstpromoter-approval.service';
import { AdminTokenGuard } from './admin-token.guard';
import { ListApprovalsQueryDto, RequestApprovalsDto } from './dtos/firstpromoter-approvals.dto';

/** The token the module provides the approval service under: `{ service: null }` without FirstPromoter's API. */
export const FIRSTPROMOTER_APPROVALS = 'FIRSTPROMOTER_APPROVALS';
/** Approvals listed at most. */
const approvalsListedMax = 1_000;

/** Approving FirstPromoter commissions: an operator's ids, a scheduled run on demand, and where each stands. */
@Controller('admin/firstpromoter')
@UseGuards(AdminTokenGuard)
export class FirstPromoterAdminController {
  constructor(@Inject(FIRSTPROMOTER_APPROVALS) private readonly approvals: { service: FirstPromoterApprovalService | null }) {}

  /** Queues ids for FirstPromoter's approve endpoint (more than 5 run as a batch process, followed to its end). */
  @Post('approvals')
  @HttpCode(202)
  request(@Body() body: RequestApprovalsDto) {
    return this.serviceOrThrow().requestByOperator(body.ids);
  }

  /** Per commission: due, in a batch, retrying (with the last error), refused for good, approved. */
  @Get('approvals')
  async list(@Query() query: ListApprovalsQueryDto) {
    const rows = await this.serviceOrThrow().list(query.state ?? null, approvalsListedMax);
    return {
      approvals: rows.map((row) => ({
        commissionId: row.commission_id, requestedBy: row.requested_by, state: row.state, attempts: row.attempts, lastError: row.last_error, batchId: row.batch_id,
        requestedAt: new Date(row.requested_at).toISOString(), approvedAt: row.approved_at === null ? null : new Date(row.approved_at).toISOString(),
      })),
    };
  }

  /** The scheduled approval run, now (`after-days:N` queues what is due; other modes queue nothing). */
  @Post('approval-runs')
  @HttpCode(200)
  run() {
    return this.serviceOrThrow().queueDue(new Date());
  }

  private serviceOrThrow(): FirstPromoterApprovalService {
    if (this.approvals.service === null) throw new PayoutApiException('firstpromoter-api-not-configured', 'FirstPromoter approvals need FIRSTPROMOTER_API_BASE_URL, FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID');
    return this.approvals.service;
  }
}
