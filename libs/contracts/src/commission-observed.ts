import { CommissionState, CommissionStates } from './commission-state';
import {
  auiField, decimalPattern, identifierField, identifierPattern, nullableIdentifierField, trackingCodeAsSentField, unitField, utcMicrosTimePattern, utcTimeField, utcTimePattern,
} from './schema-fields';

export const CommissionSources = ['wildfire', 'firstpromoter'] as const;
export type CommissionSource = (typeof CommissionSources)[number];

/** How the observation reached us. */
export const ObservationChannels = ['callback', 'api', 'webhook', 'legacy-webhook'] as const;
export type ObservationChannel = (typeof ObservationChannels)[number];

/**
 * Owner of commissions that arrive without a user id: kept, never dropped, visible to operators,
 * never paid. AUIs starting with `~` are reserved for such ledger-owned owners and refused at
 * ingest, so no real user can equal it (a tracking code `unattributed` is an ordinary user).
 */
export const UNATTRIBUTED_AUI = '~unattributed';

/** True for an owner the ledger keeps money under that is nobody's to be paid (UNATTRIBUTED_AUI). */
export function isLedgerOwnedAui(aui: string): boolean {
  return aui.startsWith('~');
}

/**
 * What a source said about one commission at one moment. Immutable: a later observation with a
 * strictly newer `modifiedDate` supersedes it in the ledger; nothing is ever edited.
 *
 * Amounts are decimal strings (never JS numbers). Dates are ISO-8601 UTC; `modifiedDate` keeps
 * the source's full microsecond precision, normalised to exactly six fractional digits.
 */
export interface CommissionObserved {
  type: 'CommissionObserved';
  schemaVersion: 1;
  /** Deterministic id of this observation: the same source version always gets the same id. */
  observationId: string;
  source: CommissionSource;
  channel: ObservationChannel;
  /** The source's own id; with `source` it identifies the commission. */
  commissionId: string;
  /** The user the commission belongs to (Wildfire TrackingCode, FirstPromoter cust_id/uid), or UNATTRIBUTED_AUI. */
  aui: string;
  state: CommissionState;
  /** The source's status word as it sent it, lower-cased (`paid`, `approved`, ...). */
  sourceStatus: string;
  /** What the user earns: an ISO currency code (`USD`) or a reward unit (`credits`, `points`, ...). */
  unit: string;
  /** The user's amount in `unit`. May be negative (a return posted as its own record). */
  userAmount: string;
  /** The partner application's amount before the user share, when the source reports one. */
  applicationAmount: string | null;
  /** True when the network pays the user itself (Wildfire device split): never paid out by the partner. */
  paidByNetwork: boolean;
  saleAmount: string | null;
  saleCurrency: string | null;
  applicationId: string | null;
  merchantId: string | null;
  deviceId: string | null;
  merchantOrderId: string | null;
  merchantSkus: string[];
  eventDate: string | null;
  lockingDate: string | null;
  createdDate: string | null;
  modifiedDate: string;
  /** The callback/webhook delivery id, when it came by push. */
  deliveryId: string | null;
  /** The source API or callback version (`v2`, `v3`, `v4`, `webhooks-v2`, `legacy`). */
  apiVersion: string;
  /** When ingest observed it (ISO-8601 UTC). */
  observedAt: string;
  /**
   * Present only when the source sent a tracking code that cannot be an AUI (whitespace around it,
   * a control character, too long, the reserved `~`): the commission is then UNATTRIBUTED_AUI's,
   * and this is the code as sent, as a JSON string literal with every invisible character escaped
   * (`" 0123-abc "`, `"user\u202e7"`), so support can attribute it. The exact bytes are on the raw topic.
   */
  trackingCodeAsSent?: string;
  /**
   * FirstPromoter's fraud check of the commission as it sent it (`no_suspicion`, `same_ip_suspicion`,
   * ...; `unreadable` when it sent something that is not a clean word). Optional (added later):
   * absent means not flagged, as in every older observation.
   */
  fraudCheck?: string;
  /** True when FirstPromoter says the promoter referred themselves. Optional (added later): absent means false. */
  isSelfReferral?: boolean;
}

/** True when the source's fraud check flagged the commission: a fraud check other than `no_suspicion`, or a self-referral. */
export function isFlaggedByFraudCheck(observation: Pick<CommissionObserved, 'fraudCheck' | 'isSelfReferral'>): boolean {
  return (observation.fraudCheck !== undefined && observation.fraudCheck !== 'no_suspicion') || observation.isSelfReferral === true;
}

/** Words and versions the sources send (`paid`, `v4`): bounded and free of control characters like every identifier. */
const shortText = { type: 'string', maxLength: 100, pattern: identifierPattern } as const;

/** JSON Schema (draft 2020-12) of CommissionObserved: produced and consumed messages are both checked against it. */
export const commissionObservedSchema = {
  $id: 'https://earnings-ledger.dev/schemas/commission-observed.v1.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'type', 'schemaVersion', 'observationId', 'source', 'channel', 'commissionId', 'aui', 'state', 'sourceStatus',
    'unit', 'userAmount', 'applicationAmount', 'paidByNetwork', 'saleAmount', 'saleCurrency', 'applicationId',
    'merchantId', 'deviceId', 'merchantOrderId', 'merchantSkus', 'eventDate', 'lockingDate', 'createdDate',
    'modifiedDate', 'deliveryId', 'apiVersion', 'observedAt',
  ],
  properties: {
    type: { const: 'CommissionObserved' },
    schemaVersion: { const: 1 },
    // Built from the source, the commission id and the modified date, so longer than one identifier.
    observationId: { type: 'string', minLength: 1, maxLength: 400, pattern: identifierPattern },
    source: { enum: [...CommissionSources] },
    channel: { enum: [...ObservationChannels] },
    commissionId: identifierField,
    aui: auiField,
    state: { enum: [...CommissionStates] },
    sourceStatus: shortText,
    unit: unitField,
    userAmount: { type: 'string', pattern: decimalPattern },
    applicationAmount: { type: ['string', 'null'], pattern: decimalPattern },
    paidByNetwork: { type: 'boolean' },
    saleAmount: { type: ['string', 'null'], pattern: decimalPattern },
    saleCurrency: nullableIdentifierField,
    applicationId: nullableIdentifierField,
    merchantId: nullableIdentifierField,
    deviceId: nullableIdentifierField,
    merchantOrderId: nullableIdentifierField,
    merchantSkus: { type: 'array', maxItems: 100, items: identifierField },
    eventDate: { type: ['string', 'null'], pattern: utcTimePattern },
    lockingDate: { type: ['string', 'null'], pattern: utcTimePattern },
    createdDate: { type: ['string', 'null'], pattern: utcTimePattern },
    // Exactly six fractional digits, in the same year range as every other date.
    modifiedDate: { type: 'string', pattern: utcMicrosTimePattern },
    deliveryId: nullableIdentifierField,
    apiVersion: shortText,
    observedAt: utcTimeField,
    // Optional (added later): older observations do not carry it.
    trackingCodeAsSent: trackingCodeAsSentField,
    // Optional (added later, issue 27): older observations do not carry them, and mean "not flagged".
    fraudCheck: shortText,
    isSelfReferral: { type: 'boolean' },
  },
} as const;
