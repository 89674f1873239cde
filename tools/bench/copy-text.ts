/** A value as COPY's text format reads it: text, a number, a boolean, or NULL. */
export type CopyValue = string | number | bigint | boolean | null;

/**
 * One field of COPY's text format (PostgreSQL docs, COPY, "Text Format"): backslash, tab,
 * newline and carriage return are escaped, NULL is `\N`. The backslash goes first, or the
 * escapes it adds would be escaped again.
 */
export function copyTextField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value !== 'string') return String(value);
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One row of COPY's text format: fields separated by tabs, ended by a newline. */
export function copyTextRow(values: CopyValue[]): string {
  return `${values.map(copyTextField).join('\t')}\n`;
}
