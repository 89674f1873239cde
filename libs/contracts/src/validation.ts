import Ajv2020 from 'ajv/dist/2020';
import { BalanceChanged, balanceChangedSchema } from './balance-changed';
import { CommissionObserved, commissionObservedSchema } from './commission-observed';
import { PayoutExecuted, payoutExecutedSchema } from './payout-executed';
import { PayoutFailed, payoutFailedSchema } from './payout-failed';
import { PayoutRequested, payoutRequestedSchema, PayoutReturned, payoutReturnedSchema, PayoutSubmitted, payoutSubmittedSchema } from './payout-lifecycle';
import { Topics } from './topics';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateCommissionObserved = ajv.compile<CommissionObserved>(commissionObservedSchema);
const validateBalanceChanged = ajv.compile<BalanceChanged>(balanceChangedSchema);
const validatePayoutExecuted = ajv.compile<PayoutExecuted>(payoutExecutedSchema);
const validatePayoutFailed = ajv.compile<PayoutFailed>(payoutFailedSchema);
const validatePayoutLifecycle = ajv.compile<PayoutRequested | PayoutSubmitted | PayoutReturned>({
  $id: 'https://earnings-ledger.dev/schemas/payout-lifecycle.v1.json',
  oneOf: [payoutRequestedSchema, payoutSubmittedSchema, payoutReturnedSchema],
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

type Validator<T> = ((value: unknown) => value is T) & { errors?: { instancePath: string; message?: string }[] | null };

function check<T>(validate: Validator<T>, value: unknown): Parsed<T> {
  if (validate(value)) return { ok: true, value };
  const reason = (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`).join('; ');
  return { ok: false, reason };
}

function parse<T>(validate: Validator<T>, bytes: Buffer | string | null): Parsed<T> {
  if (bytes === null) return { ok: false, reason: 'empty message value' };
  try {
    return check(validate, JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/** Checks a value against the CommissionObserved schema; the reason names every failing field. */
export const checkCommissionObserved = (value: unknown): Parsed<CommissionObserved> => check(validateCommissionObserved, value);
/** Parses a Kafka message value; never throws. */
export const parseCommissionObserved = (bytes: Buffer | string | null): Parsed<CommissionObserved> => parse(validateCommissionObserved, bytes);
export const checkBalanceChanged = (value: unknown): Parsed<BalanceChanged> => check(validateBalanceChanged, value);
/** Parses a balance-changed message value; never throws: its consumers dead-letter what fails. */
export const parseBalanceChanged = (bytes: Buffer | string | null): Parsed<BalanceChanged> => parse(validateBalanceChanged, bytes);
/**
 * For the producer: a BalanceChanged the ledger built itself that breaks its schema is a
 * programmer error, so it throws (the transaction rolls back) instead of announcing it.
 */
export function assertBalanceChanged(value: BalanceChanged): void {
  const checked = checkBalanceChanged(value);
  if (!checked.ok) throw new Error(`BalanceChanged for ${value.aui}/${value.unit} breaks its schema: ${checked.reason}`);
}
export const checkPayoutExecuted = (value: unknown): Parsed<PayoutExecuted> => check(validatePayoutExecuted, value);
export const parsePayoutExecuted = (bytes: Buffer | string | null): Parsed<PayoutExecuted> => parse(validatePayoutExecuted, bytes);
export const checkPayoutFailed = (value: unknown): Parsed<PayoutFailed> => check(validatePayoutFailed, value);
export const parsePayoutFailed = (bytes: Buffer | string | null): Parsed<PayoutFailed> => parse(validatePayoutFailed, bytes);
export const checkPayoutLifecycle = (value: unknown): Parsed<PayoutRequested | PayoutSubmitted | PayoutReturned> => check(validatePayoutLifecycle, value);

/** Every event the ledger applies, from the topics it reads. */
export type LedgerInputEvent = CommissionObserved | PayoutRequested | PayoutSubmitted | PayoutExecuted | PayoutFailed | PayoutReturned;

/** The topics the ledger projection reads, in one place for the projector, its rebuild and the tests' barriers. */
export const ledgerInputTopics = [Topics.commissionObserved, Topics.payoutExecuted, Topics.payoutFailed, Topics.payoutLifecycle] as const;

/** Parses a message of one of the ledger's input topics against that topic's schema; never throws. */
export function parseLedgerInput(topic: string, bytes: Buffer | string | null): Parsed<LedgerInputEvent> {
  switch (topic) {
    case Topics.commissionObserved:
      return parse(validateCommissionObserved, bytes);
    case Topics.payoutExecuted:
      return parse(validatePayoutExecuted, bytes);
    case Topics.payoutFailed:
      return parse(validatePayoutFailed, bytes);
    case Topics.payoutLifecycle:
      return parse(validatePayoutLifecycle, bytes);
    default:
      return { ok: false, reason: `topic ${topic} is not one the ledger reads` };
  }
}
