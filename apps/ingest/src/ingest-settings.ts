import { Decimal, UserSharePolicy, WildfireNormaliseContext } from '@earnings/domain';
import { splitList } from '@earnings/service-shell';
import { IngestConfig } from './ingest.config';

/** The validated configuration turned into the shapes the handlers use. */
export class IngestSettings {
  readonly wildfireCallbackKeys: string[];
  readonly wildfireNormalise: Omit<WildfireNormaliseContext, 'observedAt'>;

  constructor(readonly config: IngestConfig) {
    this.wildfireCallbackKeys = splitList(config.WILDFIRE_CALLBACK_KEYS);
    this.wildfireNormalise = { userShare: userSharePolicy(config), defaultCurrency: config.WILDFIRE_DEFAULT_CURRENCY };
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
