import { SeededRandom, stableFraction, stableUuid } from '../random';

/**
 * A FirstPromoter referral programme, generated from the seed: promoters earn commissions in
 * cash (amounts in cents, as the API documents), credits and points; each commission is created
 * pending and later approved or denied, or stays pending. Everything else (API, webhooks,
 * expected balances) is derived from this one history.
 */
export type FirstPromoterStatus = 'pending' | 'approved' | 'denied';

export interface FirstPromoterVersion {
  status: FirstPromoterStatus;
  statusUpdatedAt: string;
  eventId: string;
}

export interface FirstPromoterCommission {
  id: number;
  unit: 'cash' | 'credits' | 'points';
  /** Cents for cash, whole units otherwise. */
  amount: number;
  campaignId: number;
  promoter: { id: number; custId: string; email: string };
  referral: { id: number; uid: string; email: string };
  createdAt: string;
  versions: FirstPromoterVersion[];
}

export interface FirstPromoterProgramSettings {
  seed: string;
  auiPrefix: string;
  promoters: number;
  commissions: number;
}

const hourMs = 3_600_000;
const programStartMs = Date.UTC(2026, 0, 5, 9, 0, 0);

export function generateProgram(settings: FirstPromoterProgramSettings): FirstPromoterCommission[] {
  const random = new SeededRandom(`${settings.seed}:firstpromoter`);
  const firstId = 80_000 + random.int(0, 900_000);
  return Array.from({ length: settings.commissions }, (_, index) => {
    const promoterNumber = random.int(1, settings.promoters);
    const unit = (['cash', 'credits', 'points'] as const)[random.int(0, 2)];
    const createdMs = programStartMs + index * hourMs + random.int(0, 3_599_999);
    const id = firstId + index;
    const versions: FirstPromoterVersion[] = [{ status: 'pending', statusUpdatedAt: iso(createdMs), eventId: stableUuid(settings.seed, 'firstpromoter-event', id, 0) }];
    const outcome = random.next();
    if (outcome < 0.75) {
      const status = outcome < 0.6 ? 'approved' : 'denied';
      versions.push({ status, statusUpdatedAt: iso(createdMs + random.int(1, 30) * 24 * hourMs + random.int(0, 999)), eventId: stableUuid(settings.seed, 'firstpromoter-event', id, 1) });
    }
    return {
      id,
      unit,
      amount: unit === 'cash' ? random.int(500, 5_000) : random.int(5, 60),
      campaignId: 12,
      promoter: { id: 9_000 + promoterNumber, custId: `${settings.auiPrefix}fp-promoter-${String(promoterNumber).padStart(4, '0')}`, email: `promoter${promoterNumber}@example.test` },
      referral: { id: 70_000 + index, uid: `${settings.auiPrefix}fp-referral-${index}`, email: `friend${index}@example.test` },
      createdAt: iso(createdMs),
      versions,
    };
  });
}

/**
 * The commission at one version, as the webhook `data` carries it (the promoter with `cust_id`)
 * or, with `channel: 'api'`, as the API v2 lists it: the published Commission schema's promoter is
 * `{id, email, name}`, without `cust_id`.
 */
export function commissionJson(commission: FirstPromoterCommission, version: FirstPromoterVersion, channel: 'webhook' | 'api' = 'webhook'): Record<string, unknown> {
  const promoter = { id: commission.promoter.id, email: commission.promoter.email, name: `Promoter ${commission.promoter.id}` };
  return {
    id: commission.id,
    status: version.status,
    metadata: {},
    is_self_referral: false,
    commission_type: 'sale',
    sale_amount: commission.amount * 10,
    original_sale_amount: commission.amount * 10,
    original_sale_currency: 'usd',
    unit: commission.unit,
    fraud_check: 'no_suspicion',
    amount: commission.amount,
    is_paid: false,
    is_split: false,
    created_at: commission.createdAt,
    status_updated_at: version.statusUpdatedAt,
    promoter_campaign: {
      id: 500 + (commission.promoter.id % 100),
      campaign_id: commission.campaignId,
      promoter_id: commission.promoter.id,
      promoter: channel === 'api' ? promoter : { ...promoter, cust_id: commission.promoter.custId },
      campaign: { id: commission.campaignId, name: 'Rewards for referrals' },
    },
    referral: { id: commission.referral.id, email: commission.referral.email, uid: commission.referral.uid },
  };
}

export const latestVersion = (commission: FirstPromoterCommission): FirstPromoterVersion => commission.versions[commission.versions.length - 1];

/** Deterministic: the same commission version is always dropped (or not) for a given fraction. */
export const isDropped = (seed: string, commission: FirstPromoterCommission, versionIndex: number, fraction: number): boolean =>
  stableFraction(seed, 'firstpromoter-drop', commission.id, versionIndex) < fraction;

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
