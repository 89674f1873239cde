/** A value of a one-dimensional PostgreSQL array parameter. */
export type ArrayElement = string | number | bigint | boolean | null | undefined;

const needsEscape = /["\\]/;

/**
 * A JS array as PostgreSQL's array literal (`{"a","b",NULL}`), for `unnest($1::text[])` and the
 * like. The pg driver writes the same text, but runs two regular-expression replaces and a value
 * conversion per element; the projector sends tens of thousands of elements per chunk, so here
 * an element is escaped only when it holds a quote or a backslash.
 */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    else if (typeof value === 'string') literal += needsEscape.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
    else if (typeof value === 'boolean') literal += value ? 't' : 'f';
    else literal += String(value);
  }
  return `${literal}}`;
}
