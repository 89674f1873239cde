/** Who a campaign rewards: the affiliate (promoter) or the referred customer (referral). */
export type FirstPromoterRewardedParty = 'promoter' | 'referral';

/** Configuration and clock for the FirstPromoter normalisers; they do no I/O and read no clock. */
export interface FirstPromoterNormaliseContext {
  /** When ingest observed the body (ISO-8601 UTC); passed in so the normalisers stay pure. */
  observedAt: string;
  /** The account's currency: unit `cash` means this currency. Default `USD`. */
  accountCurrency?: string;
  /** Campaign id (as a string) to the party its rewards belong to. */
  rewardedPartyByCampaignId?: ReadonlyMap<string, FirstPromoterRewardedParty>;
  /** Used for campaigns missing from the map. Default `promoter`. */
  defaultRewardedParty?: FirstPromoterRewardedParty;
  /**
   * Reward id (as a string) to the party it is for: a campaign can reward the promoter and the
   * referred friend alike, so the reward, not the campaign, says who receives it. Checked first.
   */
  rewardedPartyByRewardId?: ReadonlyMap<string, FirstPromoterRewardedParty>;
  /**
   * FirstPromoter promoter id to the partner's user id (`cust_id`), learnt from webhooks and the
   * Promoters API: the API's commissions name the promoter without its `cust_id`.
   */
  promoterUserIds?: ReadonlyMap<string, string>;
}

export type FirstPromoterInvalid = {
  kind: 'invalid';
  code: 'malformed-json' | 'missing-field' | 'invalid-field';
  field?: string;
  message: string;
};

export const FIRSTPROMOTER_DEFAULT_ACCOUNT_CURRENCY = 'USD';
export const FIRSTPROMOTER_DEFAULT_REWARDED_PARTY: FirstPromoterRewardedParty = 'promoter';
