import DataLoader from 'dataloader';
import type { SubscriptionContext } from 'mercurius';
import { Caller } from '../auth/caller';
import { EarningsRepository, EarningsView } from '../earnings/earnings.repository';
import { MerchantRepository, MerchantView } from '../merchants/merchant.repository';
import { CommissionVersionKey, TrackingCodeRepository, versionKeyText } from '../merchants/tracking-code.repository';

/** What every resolver sees: the caller (authenticated once per request or connection) and per-request loaders. */
export interface QueryContext {
  caller?: Caller;
  earningsLoader: DataLoader<string, EarningsView>;
  merchantLoader: DataLoader<string, MerchantView>;
  trackingCodeLoader: DataLoader<CommissionVersionKey, string | null, string>;
  pubsub: SubscriptionContext;
}

/** Batches every `earnings` field of one request (aliases included) into one SQL statement. */
export function createEarningsLoader(repository: EarningsRepository): DataLoader<string, EarningsView> {
  return new DataLoader((auis: readonly string[]) => repository.earningsOfMany(auis), { maxBatchSize: 100 });
}

/** Batches the merchant of every transaction of one request into one SQL statement. */
export function createMerchantLoader(repository: MerchantRepository): DataLoader<string, MerchantView> {
  return new DataLoader((merchantIds: readonly string[]) => repository.merchantsOf(merchantIds), { maxBatchSize: 500 });
}

/** Batches the tracking codes as sent of one request's transactions or versions into one SQL statement. */
export function createTrackingCodeLoader(repository: TrackingCodeRepository): DataLoader<CommissionVersionKey, string | null, string> {
  return new DataLoader((keys: readonly CommissionVersionKey[]) => repository.trackingCodesOf(keys), { maxBatchSize: 500, cacheKeyFn: versionKeyText });
}
