import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, Matches } from 'class-validator';

export const approvalIdsPerRequestMax = 1_000;
export const ApprovalStates = ['due', 'in-batch', 'retrying', 'refused', 'approved'] as const;

export class RequestApprovalsDto {
  /** FirstPromoter commission ids, as strings or JSON integers. */
  @Transform(({ value }) => (Array.isArray(value) ? value.map((id) => (typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id)) : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(approvalIdsPerRequestMax)
  @Matches(/^[1-9][0-9]{0,14}$/, { each: true, message: 'each id must be a FirstPromoter commission id (a positive integer)' })
  ids!: string[];
}

export class ListApprovalsQueryDto {
  @IsOptional()
  @IsIn([...ApprovalStates])
  state?: (typeof ApprovalStates)[number];
}
