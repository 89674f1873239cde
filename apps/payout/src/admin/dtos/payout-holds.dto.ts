import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** An operator's decision on a payout held for review, or on every one of a run. */
export class ReviewPayoutsDto {
  @IsIn(['approve', 'reject'])
  decision!: 'approve' | 'reject';

  /** Why, for the audit trail (shown in the admin list; a rejection's reason is the payout's failure reason). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

/** An operator's decision on a commission a fraud check flagged. */
export class DecideFlaggedCommissionDto {
  @IsIn(['clear', 'reject'])
  decision!: 'clear' | 'reject';

  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class LiftSecurityHoldDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class ListPayoutReviewsQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  runId?: string;
}

export const FlagDecisions = ['held', 'cleared', 'rejected'] as const;

export class ListFlaggedCommissionsQueryDto {
  @IsOptional()
  @IsIn([...FlagDecisions])
  decision?: (typeof FlagDecisions)[number];
}
