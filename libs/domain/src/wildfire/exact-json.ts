import { isLosslessNumber, LosslessNumber, parse } from 'lossless-json';

/**
 * JSON with every number kept as its source text, through lossless-json. `JSON.parse` turns
 * numbers into binary floats before we can see them, so an amount sent as a JSON number
 * (`2.88475000000000000001`) or an id above 2^53 would silently change. A member name repeated
 * within one object is rejected: two values for one field are ambiguous.
 */
export type JsonNumber = LosslessNumber;
export const isJsonNumber = (value: unknown): value is JsonNumber => isLosslessNumber(value);

export class ExactJsonSyntaxError extends Error {}

export function parseExactJson(text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    // Includes RangeError from a hostile, deeply nested document: still just malformed input.
    throw new ExactJsonSyntaxError((error as Error).message);
  }
}
