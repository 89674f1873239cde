import { IsEmail, IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';
import { PayoutMethods } from '../../providers/payout-provider';

export class SetPayoutMethodDto {
  @IsIn([...PayoutMethods])
  method!: (typeof PayoutMethods)[number];

  /** The PayPal or gift card recipient's email; account credits need none. */
  @ValidateIf((dto: SetPayoutMethodDto) => dto.method !== 'account_credit')
  @IsEmail({}, { message: 'destination must be the recipient email for paypal and gift_card' })
  @MaxLength(320)
  destination?: string | null;
}

export class ListPayoutsQueryDto {
  @IsString()
  @MaxLength(200)
  aui!: string;
}
