import { Decimal, FirstPromoterNormaliseContext, FirstPromoterRewardedParty, UserSharePolicy, WildfireNormaliseContext } from '@earnings/domain';
import { splitList } from '@earnings/service-shell';
import { IngestConfig } from './ingest.config';

/** The validated configuration turned into the shapes the handlers use. */
export class IngestSettings {
  readonly wildfireCallbackKeys: string[];
  readonly wildfireNormalise: Omit<WildfireNormaliseContext, 'observedAt'>;
  readonly firstPromoterWebhookSecrets: string[];
  readonly firstPromoterNormalise: Omit<FirstPromoterNormaliseContext, 'observedAt'>;
  /** Reward units the payout service delivers: a legacy fulfilment in another unit stays pending at FirstPromoter. */
  readonly firstPromoterDeliveredUnits: ReadonlySet<string>;
  /** Webhooks v2 or the API pull record FirstPromoter commissions: the legacy webhook then books nothing (one reward, one delivery). */
  readonly firstPromoterV2IsTheRecord: boolean;

  constructor(readonly config: IngestConfig) {
    this.wildfireCallbackKeys = splitList(config.WILDFIRE_CALLBACK_KEYS);
    this.wildfireNormalise = { userShare: userSharePolicy(config), defaultCurrency: config.WILDFIRE_DEFAULT_CURRENCY };
    this.firstPromoterWebhookSecrets = splitList(config.FIRSTPROMOTER_WEBHOOK_SECRETS);
    this.firstPromoterNormalise = {
      accountCurrency: config.FIRSTPROMOTER_ACCOUNT_CURRENCY,
      defaultRewardedParty: config.FIRSTPROMOTER_REWARDED_PARTY as FirstPromoterRewardedParty,
      rewardedPartyByCampaignId: new Map(
        splitList(config.FIRSTPROMOTER_REWARDED_PARTY_BY_CAMPAIGN).map((entry) => entry.split(':') as [string, FirstPromoterRewardedParty]),
      ),
      rewardedPartyByRewardId: new Map(
        splitList(config.FIRSTPROMOTER_REWARDED_PARTY_BY_REWARD).map((entry) => entry.split(':') as [string, FirstPromoterRewardedParty]),
      ),
    };
    this.firstPromoterDeliveredUnits = new Set(splitList(config.FIRSTPROMOTER_DELIVERED_UNITS));
    this.firstPromoterV2IsTheRecord = this.firstPromoterWebhookSecrets.length > 0 || config.FIRSTPROMOTER_API_KEY !== '';
  }
}

function userSharePolicy(config: IngestConfig): UserSharePolicy {
  const byApplicationId = new Map<string, Decimal>();
  for (const entry of splitList(config.WILDFIRE_USER_SHARE_BY_APPLICATION)) {
    const [applicationId, share] = entry.split(':');
    byApplicationId.set(applicationId, new Decimal(share));
  }
  return { defaultShare: new Decimal(config.WILDFIRE_USER_SHARE), byApplicationId };
}
