import Ajv2020 from 'ajv/dist/2020';
import { BalanceChanged, balanceChangedSchema } from './balance-changed';
import { CommissionObserved, commissionObservedSchema } from './commission-observed';
import { PayoutExecuted, payoutExecutedSchema } from './payout-executed';
import { PayoutFailed, payoutFailedSchema } from './payout-failed';
import { PayoutRequested, payoutRequestedSchema, PayoutReturned, payoutReturnedSchema, PayoutSubmitted, payoutSubmittedSchema } from './payout-lifecycle';
import { Topics } from './topics';

/**
 * How events evolve within a version (`schemaVersion: 1`, a `.v1` topic): a newer producer may
 * add optional fields, so during a rolling deploy an older consumer meets fields it does not
 * know. Producers are strict: what they write matches their own schema exactly
 * (additionalProperties: false), so a typo never reaches a topic. Consumers are tolerant: they
 * drop the fields they do not know and check the ones they do, every one as strictly as the
 * producer. Renaming, removing or changing a known field, or making a new field required, is a
 * new version: a new `schemaVersion` and a new topic.
 */
const producerAjv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true });
const consumerAjv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, removeAdditional: 'all' });

/** The three payout steps on one topic, told apart by `type` (only the matching schema applies, so a consumer strips by the right one). */
const payoutLifecycleSchema = {
  $id: 'https://earnings-ledger.dev/schemas/payout-lifecycle.v1.json',
  type: 'object',
  discriminator: { propertyName: 'type' },
  oneOf: [payoutRequestedSchema, payoutSubmittedSchema, payoutReturnedSchema],
};

/** The same schema for both sides: exact when producing, unknown fields dropped when consuming. */
function validators<T>(schema: object): { produced: Validator<T>; consumed: Validator<T> } {
  return { produced: producerAjv.compile<T>(schema), consumed: consumerAjv.compile<T>(schema) };
}

const commissionObserved = validators<CommissionObserved>(commissionObservedSchema);
const balanceChanged = validators<BalanceChanged>(balanceChangedSchema);
const payoutExecuted = validators<PayoutExecuted>(payoutExecutedSchema);
const payoutFailed = validators<PayoutFailed>(payoutFailedSchema);
const payoutLifecycle = validators<PayoutRequested | PayoutSubmitted | PayoutReturned>(payoutLifecycleSchema);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

type Validator<T> = ((value: unknown) => value is T) & { errors?: { instancePath: string; message?: string }[] | null };

function check<T>(validate: Validator<T>, value: unknown): Parsed<T> {
  if (validate(value)) return { ok: true, value };
  const reason = (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`).join('; ');
  return { ok: false, reason };
}

/** A consumer's reading of a message value: unknown fields dropped, known ones checked. */
function parse<T>(validate: Validator<T>, bytes: Buffer | string | null): Parsed<T> {
  if (bytes === null) return { ok: false, reason: 'empty message value' };
  try {
    return check(validate, JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/** For producers: checks a value against the CommissionObserved schema, exactly; the reason names every failing field. */
export const checkCommissionObserved = (value: unknown): Parsed<CommissionObserved> => check(commissionObserved.produced, value);
/** For consumers: parses a Kafka message value, dropping fields this release does not know; never throws. */
export const parseCommissionObserved = (bytes: Buffer | string | null): Parsed<CommissionObserved> => parse(commissionObserved.consumed, bytes);
export const checkBalanceChanged = (value: unknown): Parsed<BalanceChanged> => check(balanceChanged.produced, value);
/** Parses a balance-changed message value, dropping unknown fields; never throws: its consumers dead-letter what fails. */
export const parseBalanceChanged = (bytes: Buffer | string | null): Parsed<BalanceChanged> => parse(balanceChanged.consumed, bytes);
/**
 * For the producer: a BalanceChanged the ledger built itself that breaks its schema is a
 * programmer error, so it throws (the transaction rolls back) instead of announcing it.
 */
export function assertBalanceChanged(value: BalanceChanged): void {
  const checked = checkBalanceChanged(value);
  if (!checked.ok) throw new Error(`BalanceChanged for ${value.aui}/${value.unit} breaks its schema: ${checked.reason}`);
}
export const checkPayoutExecuted = (value: unknown): Parsed<PayoutExecuted> => check(payoutExecuted.produced, value);
export const checkPayoutFailed = (value: unknown): Parsed<PayoutFailed> => check(payoutFailed.produced, value);
export const checkPayoutLifecycle = (value: unknown): Parsed<PayoutRequested | PayoutSubmitted | PayoutReturned> => check(payoutLifecycle.produced, value);

/** Every event the ledger applies, from the topics it reads. */
export type LedgerInputEvent = CommissionObserved | PayoutRequested | PayoutSubmitted | PayoutExecuted | PayoutFailed | PayoutReturned;

/** The topics the ledger projection reads, in one place for the projector, its rebuild and the tests' barriers. */
export const ledgerInputTopics = [Topics.commissionObserved, Topics.payoutExecuted, Topics.payoutFailed, Topics.payoutLifecycle] as const;

/** Parses a message of one of the ledger's input topics against that topic's schema, dropping unknown fields; never throws. */
export function parseLedgerInput(topic: string, bytes: Buffer | string | null): Parsed<LedgerInputEvent> {
  switch (topic) {
    case Topics.commissionObserved:
      return parse(commissionObserved.consumed, bytes);
    case Topics.payoutExecuted:
      return parse(payoutExecuted.consumed, bytes);
    case Topics.payoutFailed:
      return parse(payoutFailed.consumed, bytes);
    case Topics.payoutLifecycle:
      return parse(payoutLifecycle.consumed, bytes);
    default:
      return { ok: false, reason: `topic ${topic} is not one the ledger reads` };
  }
}
