import type { CommissionObserved } from '@earnings/contracts';
import type { Decimal } from '../money/decimal';
import type { FieldCleaning } from './wildfire-metadata';

export const WildfireApiVersions = ['v2', 'v3', 'v4'] as const;
export type WildfireApiVersion = (typeof WildfireApiVersions)[number];

/**
 * How much of the `application` split the user earns when the partner pays users itself
 * (configuration, design choice). Each share is in [0, 1]; the default is 1 (the whole split).
 * Never applied to a `device` split: that one is already the user's amount.
 */
export interface UserSharePolicy {
  defaultShare: Decimal;
  byApplicationId: ReadonlyMap<string, Decimal>;
}

export interface WildfireNormaliseContext {
  /** When ingest received it (ISO-8601); passed in because the normaliser never reads a clock. */
  observedAt: string;
  userShare: UserSharePolicy;
  /** The application's default currency: v2 bodies carry no currency at all. Usually 'USD'. */
  defaultCurrency: string;
}

export interface WildfireCommissionContext extends WildfireNormaliseContext {
  channel: 'callback' | 'api';
  /** The version in the API URL, when known; the record is still parsed by its shape. */
  apiVersion?: WildfireApiVersion;
  /** The callback id for a push; null for the Commission API. */
  deliveryId: string | null;
  /**
   * Prefix of field names in error messages. Defaults to 'Payload' for callbacks and to none for
   * the API, which may pass e.g. 'Commissions[3]'.
   */
  fieldPath?: string;
}

export type WildfireInvalidCode = 'malformed-json' | 'missing-field' | 'invalid-field';

/** Why a body or record was refused. `message` names the field and never repeats a value from the body. */
export interface WildfireInvalid {
  kind: 'invalid';
  code: WildfireInvalidCode;
  field?: string;
  message: string;
}

export interface WildfireCommission {
  kind: 'commission';
  /** The version used for `observation.apiVersion`: the caller's, else the one the record's shape shows. */
  apiVersion: WildfireApiVersion;
  observation: CommissionObserved;
  /** The metadata fields that were cleaned for display (or a TrackingCode that could not be an AUI), for the edges to count. */
  cleanings: FieldCleaning[];
}

export type WildfireCallbackResult =
  | { kind: 'commission'; callbackId: string | null; apiVersion: WildfireApiVersion; observation: CommissionObserved; cleanings: FieldCleaning[] }
  | { kind: 'not-a-commission'; callbackId: string | null; callbackType: string }
  | WildfireInvalid;
