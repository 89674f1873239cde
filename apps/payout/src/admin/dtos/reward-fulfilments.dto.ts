import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export const RewardFulfilmentStates = ['due', 'in-batch', 'retrying', 'refused', 'marked', 'reversed', 'unmarked'] as const;

export class ListRewardFulfilmentsQueryDto {
  @IsOptional()
  @IsIn([...RewardFulfilmentStates])
  state?: (typeof RewardFulfilmentStates)[number];
}

export class GiveUpRewardDeliveryDto {
  /** Why the delivery is given up, for the audit trail (kept as the payout's failure reason). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
