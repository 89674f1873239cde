import Ajv2020 from 'ajv/dist/2020';
import { CommissionObserved, commissionObservedSchema } from './commission-observed';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateCommissionObserved = ajv.compile<CommissionObserved>(commissionObservedSchema);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Checks a value against the CommissionObserved schema; the reason names every failing field. */
export function checkCommissionObserved(value: unknown): Parsed<CommissionObserved> {
  if (validateCommissionObserved(value)) return { ok: true, value };
  const reason = (validateCommissionObserved.errors ?? [])
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`)
    .join('; ');
  return { ok: false, reason };
}

/** Parses a Kafka message value; never throws. */
export function parseCommissionObserved(bytes: Buffer | string | null): Parsed<CommissionObserved> {
  if (bytes === null) return { ok: false, reason: 'empty message value' };
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  return checkCommissionObserved(value);
}
