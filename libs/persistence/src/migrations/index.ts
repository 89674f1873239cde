import { CreateLedgerProjection1763700000000 } from './1763700000000-create-ledger-projection';
import { CreatePayoutBalance1763700001000 } from './1763700001000-create-payout-balance';
import { CreateWildfireSync1763700002000 } from './1763700002000-create-wildfire-sync';
import { CreateWebhookDelivery1763700003000 } from './1763700003000-create-webhook-delivery';
import { CreateQueryApiKey1763700007000 } from './1763700007000-create-query-api-key';
import { IndexPayoutsByAui1763700007100 } from './1763700007100-index-payouts-by-aui';
import { CreatePayouts1763700009000 } from './1763700009000-create-payouts';
import { PayoutHoldsAndReturns1763700010000 } from './1763700010000-payout-holds-and-returns';
import { PayoutReturnsAndViewFigures1763700010100 } from './1763700010100-payout-returns-and-view-figures';
import { LeanCommissionVersions1763700010200 } from './1763700010200-lean-commission-versions';
import { FirstPromoterDirectoryAndVersions1763700011000 } from './1763700011000-firstpromoter-directory-and-versions';
import { RewardDeliveryPerCommission1763700011100 } from './1763700011100-reward-delivery-per-commission';
import { FirstPromoterV2Rewards1763700011200 } from './1763700011200-firstpromoter-v2-rewards';
import { LedgerRule1763700012000 } from './1763700012000-ledger-rule';
import { FirstPromoterSourceTimesAndOwners1763700013000 } from './1763700013000-firstpromoter-source-times-and-owners';
import { RewardMarksApprovalsAndCoverage1763700013100 } from './1763700013100-reward-marks-approvals-and-coverage';
import { WildfireMerchantsAndResumableSync1763700014000 } from './1763700014000-wildfire-merchants-and-resumable-sync';
import { PayoutWorkLeases1763700016000 } from './1763700016000-payout-work-leases';
import { PayoutPolicyView1763700016100 } from './1763700016100-payout-policy-view';
import { PayoutCommitment1763700016500 } from './1763700016500-payout-commitment';
import { LedgerViews1763700017000 } from './1763700017000-ledger-views';
import { PayoutCoverage1763700017500 } from './1763700017500-payout-coverage';
import { OperationsViews1763700018500 } from './1763700018500-operations-views';
import { PayoutReviewAndHolds1763700019000 } from './1763700019000-payout-review-and-holds';
import { PayoutReviewPolicyPublished1763700019500 } from './1763700019500-payout-review-policy-published';

/** Every migration, in order. A new migration is added here and never edited once released. */
export const allMigrations = [CreateLedgerProjection1763700000000, CreatePayoutBalance1763700001000, CreateWildfireSync1763700002000, CreateWebhookDelivery1763700003000, CreateQueryApiKey1763700007000, IndexPayoutsByAui1763700007100, CreatePayouts1763700009000, PayoutHoldsAndReturns1763700010000, PayoutReturnsAndViewFigures1763700010100, LeanCommissionVersions1763700010200, FirstPromoterDirectoryAndVersions1763700011000, RewardDeliveryPerCommission1763700011100, FirstPromoterV2Rewards1763700011200, LedgerRule1763700012000, FirstPromoterSourceTimesAndOwners1763700013000, RewardMarksApprovalsAndCoverage1763700013100, WildfireMerchantsAndResumableSync1763700014000, PayoutWorkLeases1763700016000, PayoutPolicyView1763700016100, PayoutCommitment1763700016500, LedgerViews1763700017000, PayoutCoverage1763700017500, OperationsViews1763700018500, PayoutReviewAndHolds1763700019000, PayoutReviewPolicyPublished1763700019500];
