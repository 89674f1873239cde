import { IsIn, IsOptional } from 'class-validator';

export const RewardFulfilmentStates = ['due', 'in-batch', 'retrying', 'refused', 'marked', 'reversed', 'unmarked'] as const;

export class ListRewardFulfilmentsQueryDto {
  @IsOptional()
  @IsIn([...RewardFulfilmentStates])
  state?: (typeof RewardFulfilmentStates)[number];
}
