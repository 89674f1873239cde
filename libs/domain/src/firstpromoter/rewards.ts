import { CommissionState, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { Decimal, toDecimalString } from '../money/decimal';
import { FIRSTPROMOTER_DEFAULT_ACCOUNT_CURRENCY, FIRSTPROMOTER_DEFAULT_REWARDED_PARTY, FirstPromoterNormaliseContext, FirstPromoterRewardedParty } from './context';
import { invalid, JsonRecord, optionalIdentifier, optionalRecord, requiredDecimal, requiredText } from './fields';

/** The reward units FirstPromoter documents (commission `unit` enum, API v2). */
export const FirstPromoterRewardUnits = ['cash', 'credits', 'points', 'free_months', 'mon_discount', 'discount_per'] as const;
export type FirstPromoterRewardUnit = (typeof FirstPromoterRewardUnits)[number];

/** Commission statuses (API v2 `status` enum). */
export const FirstPromoterCommissionStatuses = ['pending', 'approved', 'denied'] as const;
export type FirstPromoterCommissionStatus = (typeof FirstPromoterCommissionStatuses)[number];

const isRewardUnit = (word: string): word is FirstPromoterRewardUnit => (FirstPromoterRewardUnits as readonly string[]).includes(word);
const isCommissionStatus = (word: string): word is FirstPromoterCommissionStatus =>
  (FirstPromoterCommissionStatuses as readonly string[]).includes(word);

/** approved = deliver the reward (eligible for payout); denied = never; pending = not yet. */
export function stateForStatus(status: FirstPromoterCommissionStatus): CommissionState {
  switch (status) {
    case 'pending':
      return 'PENDING';
    case 'approved':
      return 'PAYABLE';
    case 'denied':
      return 'REJECTED';
  }
}

/** Status words are matched case-insensitively and kept lower-cased as `sourceStatus`. */
export function readStatus(value: unknown, field: string): FirstPromoterCommissionStatus {
  const word = requiredText(value, field).toLowerCase();
  if (!isCommissionStatus(word)) throw invalid(field, `must be one of ${FirstPromoterCommissionStatuses.join(', ')}`);
  return word;
}

export interface UserReward {
  unit: string;
  userAmount: string;
}

/**
 * FirstPromoter sends cash amounts in cents: the v2 API documents `amount` and `sale_amount`
 * as "in cents" (create commission), and v1 documents reward `amount` as "in cents" for
 * reward_type cash. Other units are counts (20 credits is `20`). So cash is divided by 100,
 * exactly; every other unit is kept as sent.
 */
export function readReward(unitValue: unknown, amountValue: unknown, context: FirstPromoterNormaliseContext, prefix: string): UserReward {
  const word = requiredText(unitValue, `${prefix}unit`).toLowerCase();
  if (!isRewardUnit(word)) throw invalid(`${prefix}unit`, `must be one of ${FirstPromoterRewardUnits.join(', ')}`);
  const amount = requiredDecimal(amountValue, `${prefix}amount`);
  // A cash amount like 14.70 is dollars sent where cents are documented: dividing it by 100 would book 0.147.
  if (word === 'cash' && !amount.isInteger()) throw invalid(`${prefix}amount`, 'must be a whole number of cents for unit cash (FirstPromoter sends cash amounts in cents)');
  return rewardIn(word, amount, context);
}

function rewardIn(unit: FirstPromoterRewardUnit, amount: Decimal, context: FirstPromoterNormaliseContext): UserReward {
  switch (unit) {
    case 'cash':
      return { unit: accountCurrency(context), userAmount: centsToUnits(amount) };
    case 'credits':
    case 'points':
    case 'free_months':
    case 'mon_discount':
    case 'discount_per':
      return { unit, userAmount: toDecimalString(amount) };
  }
}

export function centsToUnits(cents: Decimal): string {
  return toDecimalString(cents.div(100));
}

export function accountCurrency(context: FirstPromoterNormaliseContext): string {
  return (context.accountCurrency ?? FIRSTPROMOTER_DEFAULT_ACCOUNT_CURRENCY).trim().toUpperCase();
}

/** A user id, or the explicit unattributed owner: a commission without one is kept, never dropped. */
export function userIdOrUnattributed(value: unknown, field: string): string {
  return optionalIdentifier(value, field, 'aui') ?? UNATTRIBUTED_AUI;
}

/**
 * The AUI travels as `promoter_campaign.promoter.cust_id` (promoter rewards) or `referral.uid`
 * (rewards for the referred customer); which party a reward is for is decided per reward
 * (rewardedPartyOf). A promoter without `cust_id` (the API's commissions carry none) is found in
 * the promoter directory. When the chosen id is missing the commission is unattributed, never
 * given to the other party (that would credit the wrong person).
 */
export function readAui(data: JsonRecord, context: FirstPromoterNormaliseContext, prefix: string): string {
  const party = rewardedPartyOf(data, context, prefix);
  switch (party) {
    case 'promoter': {
      const promoter = optionalRecord(optionalRecord(data.promoter_campaign)?.promoter);
      const field = `${prefix}promoter_campaign.promoter.cust_id`;
      const promoterId = optionalIdentifier(promoter?.id, `${prefix}promoter_campaign.promoter.id`);
      const known = promoterId === null ? undefined : context.promoterUserIds?.get(promoterId);
      return optionalIdentifier(promoter?.cust_id, field, 'aui') ?? (known === undefined ? UNATTRIBUTED_AUI : userIdOrUnattributed(known, field));
    }
    case 'referral':
      return userIdOrUnattributed(optionalRecord(data.referral)?.uid, `${prefix}referral.uid`);
  }
}

/** Words in a reward's name that say whom it is for, as partners name them ("Friend: 1 free month"). */
const referralWords = /\b(referral|referred|friend|customer|invitee)\b/i;
const promoterWords = /\b(promoter|affiliate|ambassador|referrer)\b/i;

/**
 * Who receives this reward: the reward's configured party, else what its name says, else the
 * campaign's configured party, else the default. Per reward, because one campaign can reward both.
 */
export function rewardedPartyOf(data: JsonRecord, context: FirstPromoterNormaliseContext, prefix: string): FirstPromoterRewardedParty {
  const reward = optionalRecord(data.reward);
  const rewardId = optionalIdentifier(reward?.id, `${prefix}reward.id`);
  const configured = rewardId === null ? undefined : context.rewardedPartyByRewardId?.get(rewardId);
  if (configured !== undefined) return configured;
  const named = partyNamed(typeof reward?.name === 'string' ? reward.name : '');
  if (named !== null) return named;
  const campaignId = campaignIdOf(data, prefix);
  const byCampaign = campaignId === null ? undefined : context.rewardedPartyByCampaignId?.get(campaignId);
  return byCampaign ?? context.defaultRewardedParty ?? FIRSTPROMOTER_DEFAULT_REWARDED_PARTY;
}

function partyNamed(name: string): FirstPromoterRewardedParty | null {
  const referral = referralWords.test(name);
  const promoter = promoterWords.test(name);
  if (referral === promoter) return null;
  return referral ? 'referral' : 'promoter';
}

export function campaignIdOf(data: JsonRecord, prefix: string): string | null {
  const link = optionalRecord(data.promoter_campaign);
  return (
    optionalIdentifier(link?.campaign_id, `${prefix}promoter_campaign.campaign_id`) ??
    optionalIdentifier(optionalRecord(link?.campaign)?.id, `${prefix}promoter_campaign.campaign.id`)
  );
}
