import type { SimulatedMerchant } from './merchant-catalogue';
import { WireTimestamp } from './wire-format';

/** The documented statuses; `confirmed` exists from v4 on (v2 and v3 render it as pending). */
export const wildfireStatuses = ['pending', 'confirmed', 'ready', 'paid', 'disqualified'] as const;
export type WildfireStatus = (typeof wildfireStatuses)[number];

/** The three ways merchants report (DOMAIN.md): all must end in the same correct balances. */
export type ReportingPattern = 'order-level' | 'item-level' | 'mixed';

/** What one commission id stands for within its purchase. */
export type CommissionRole = 'order' | 'item' | 'return';

/** The amounts of one version, as integers: no binary floating point ever holds money. */
export interface VersionAmounts {
  /** In the sale's own currency, in cents. */
  saleCents: number;
  /** The application split in 1e-5 units of the application's currency. */
  applicationUnits: number;
  /** The device split (Wildfire pays the user) in 1e-5 units, or null when the partner pays. */
  deviceUnits: number | null;
}

export interface CommissionVersion extends VersionAmounts {
  /** 0 for the create, then 1, 2, ... in ModifiedDate order. */
  index: number;
  status: WildfireStatus;
  modified: WireTimestamp;
}

export interface SimulatedCommission {
  commissionId: number;
  applicationId: number;
  /** The application's currency: every commission amount is in it. */
  currency: string;
  /** The purchase's own currency (Wildfire does not convert sale amounts). */
  saleCurrency: string;
  merchantId: number;
  deviceId: number;
  aui: string;
  pattern: ReportingPattern;
  role: CommissionRole;
  eventDate: WireTimestamp;
  /** Null renders as `0001-01-01T00:00:00Z` (no adjustment window). */
  lockingDate: WireTimestamp | null;
  created: WireTimestamp;
  merchantOrderId: string;
  /** One SKU, or a comma-separated list for an order-level record. */
  merchantSku: string;
  /** Some merchants' amounts arrive padded (`1.2500`); 0 means trimmed. */
  amountFractionDigitsMin: number;
  /** Strictly increasing ModifiedDate. */
  versions: CommissionVersion[];
}

export interface SimulatedApplication {
  applicationId: number;
  currency: string;
}

export interface CommissionHistory {
  seed: string;
  /** Midnight UTC 120 days before the clock's start: every date is relative to it. */
  baseMicros: number;
  /** Where the simulator clock starts: part of the history is still in the future. */
  initialNowMicros: number;
  applications: SimulatedApplication[];
  /** The stores, as the merchant API describes them. */
  merchants: SimulatedMerchant[];
  auis: string[];
  commissions: SimulatedCommission[];
}

/** A version is visible once its ModifiedDate has come, by the simulator clock. */
export function isVisible(version: CommissionVersion, nowMicros: number): boolean {
  return version.modified.micros <= nowMicros;
}

/** The newest version visible at `horizonMicros`, or null when the commission does not exist yet. */
export function latestVersionAt(commission: SimulatedCommission, horizonMicros: number): CommissionVersion | null {
  for (let index = commission.versions.length - 1; index >= 0; index -= 1) {
    if (isVisible(commission.versions[index], horizonMicros)) return commission.versions[index];
  }
  return null;
}
