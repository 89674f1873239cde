import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';

/** A value as COPY's text format reads it: text, a number, a boolean, or NULL. */
export type CopyValue = string | number | bigint | boolean | null;

const needsEscape = /[\\\t\n\r]/;

/**
 * One field of COPY's text format (PostgreSQL docs, COPY, "Text Format"): backslash, tab,
 * newline and carriage return are escaped, NULL is `\N`. The backslash goes first, or the
 * escapes it adds would be escaped again. Most fields need none: they are returned as they are.
 */
export function copyTextField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value !== 'string') return String(value);
  if (!needsEscape.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One row of COPY's text format: fields separated by tabs, ended by a newline. */
export function copyTextRow(values: readonly CopyValue[]): string {
  let row = copyTextField(values[0]);
  for (let index = 1; index < values.length; index += 1) row += `\t${copyTextField(values[index])}`;
  return `${row}\n`;
}

const escapes: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

/** The fields of one line COPY ... TO STDOUT wrote (text format, without its newline); `\N` is null. */
export function parseCopyTextRow(line: string): (string | null)[] {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    if (!field.includes('\\')) return field;
    return field.replace(/\\(.)/g, (_match, code: string) => escapes[code] ?? code);
  });
}

/**
 * A pooled connection of the data source, for COPY and for a transaction's own statements (which
 * TypeORM cannot run); release it when done, with `true` when it is broken (the pool then closes it).
 */
export async function rawConnection(dataSource: DataSource): Promise<{ client: RawClient; release: (broken?: boolean) => void }> {
  const [client, release] = await (dataSource.driver as unknown as { obtainMasterConnection(): Promise<[RawClient, (broken?: boolean) => void]> }).obtainMasterConnection();
  return { client, release };
}

export interface RawClient {
  query(text: string | Writable | Readable, values?: unknown[]): unknown;
}

/**
 * COPY ... FROM STDIN on `client`: `write` waits when the server is behind (backpressure), so
 * the caller never holds more than the stream's buffer; `end` resolves once PostgreSQL has every row.
 */
export interface CopyIn {
  write(text: string): Promise<void>;
  end(): Promise<void>;
  /** Ends the COPY with an error: PostgreSQL keeps none of its rows, and the connection can be used again. */
  abort(): Promise<void>;
}

export function openCopyIn(client: RawClient, sql: string): CopyIn {
  const stream = client.query(copyFrom(sql)) as Writable;
  let failure: Error | null = null;
  stream.on('error', (error: Error) => (failure = error));
  return {
    async write(text: string) {
      if (failure) throw failure;
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
    },
    async end() {
      if (failure) throw failure;
      stream.end();
      await once(stream, 'finish');
    },
    async abort() {
      if (stream.destroyed) return;
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy(new Error('COPY abandoned'));
      await closed;
    },
  };
}

/** COPY ... TO STDOUT on `client`, line by line (text format, each line without its newline). */
export async function* copyOutLines(client: RawClient, sql: string): AsyncGenerator<string> {
  const stream = client.query(copyTo(sql)) as Readable;
  // A chunk may end inside a multi-byte character: the decoder keeps its first bytes for the next one.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) yield line;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}
