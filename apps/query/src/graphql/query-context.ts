import DataLoader from 'dataloader';
import type { SubscriptionContext } from 'mercurius';
import { Caller } from '../auth/caller';
import { EarningsRepository, EarningsView } from '../earnings/earnings.repository';

/** What every resolver sees: the caller (authenticated once per request or connection) and per-request loaders. */
export interface QueryContext {
  caller?: Caller;
  earningsLoader: DataLoader<string, EarningsView>;
  pubsub: SubscriptionContext;
}

/** Batches every `earnings` field of one request (aliases included) into one SQL statement. */
export function createEarningsLoader(repository: EarningsRepository): DataLoader<string, EarningsView> {
  return new DataLoader((auis: readonly string[]) => repository.earningsOfMany(auis), { maxBatchSize: 100 });
}
