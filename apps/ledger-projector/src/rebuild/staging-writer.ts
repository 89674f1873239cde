import { parentPort, workerData } from 'node:worker_threads';
import { parseLedgerInput, Topics } from '@earnings/contracts';
import { openCopyIn } from '@earnings/persistence';
import { Client } from 'pg';
import { copyWriteChars } from '../projection/chunk-sql';
import { stagingRow } from '../projection/observation-staging';

/**
 * The bulk rebuild's second thread: turns fetched commission-observed messages into staging rows
 * and copies them into PostgreSQL on its own connection, while the main thread keeps fetching
 * (kafkajs decoding is the other half of the work; on two cores both halves run at once).
 */

export interface StagingWriterData {
  databaseUrl: string;
  copySql: string;
}

/** One fetched batch: its values packed in one transferred buffer, cut by `lengths` (-1: a null value). */
export interface StagingBatch {
  type: 'batch';
  partition: number;
  offsets: string[];
  lengths: Int32Array;
  bytes: Uint8Array;
}

export type StagingWriterRequest = StagingBatch | { type: 'end' };

export type StagingWriterReply =
  | { type: 'batch-done'; messages: number; invalid: number; refused: { partition: number; offset: string; source: string; commissionId: string }[] }
  | { type: 'ended' }
  | { type: 'failed'; message: string; code: string | null };

async function run(port: NonNullable<typeof parentPort>, data: StagingWriterData): Promise<void> {
  const client = new Client({ connectionString: data.databaseUrl, application_name: 'earnings-ledger-rebuild-staging' });
  await client.connect();
  const copy = openCopyIn(client, data.copySql);
  const reply = (message: StagingWriterReply) => port.postMessage(message);
  // Requests are handled one at a time, in order: a batch's rows reach the COPY before the next batch's.
  let queue = Promise.resolve();
  port.on('message', (request: StagingWriterRequest) => {
    queue = queue.then(async () => {
      if (request.type === 'batch') reply(await writeBatch(request, copy));
      else {
        await copy.end();
        await client.end();
        reply({ type: 'ended' });
      }
    }).catch((error: Error & { code?: unknown }) => {
      reply({ type: 'failed', message: error.message, code: typeof error.code === 'string' ? error.code : null });
      void client.end().catch(() => undefined);
    });
  });
}

async function writeBatch(batch: StagingBatch, copy: { write(rows: string): Promise<void> }): Promise<StagingWriterReply> {
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const refused: { partition: number; offset: string; source: string; commissionId: string }[] = [];
  let invalid = 0;
  let rows = '';
  let start = 0;
  for (let index = 0; index < batch.offsets.length; index += 1) {
    const length = batch.lengths[index];
    const value = length < 0 ? null : bytes.subarray(start, start + length);
    if (length > 0) start += length;
    const parsed = parseLedgerInput(Topics.commissionObserved, value);
    if (!parsed.ok || parsed.value.type !== 'CommissionObserved') {
      invalid += 1;
      continue;
    }
    const row = stagingRow(parsed.value, batch.partition, batch.offsets[index]);
    // PostgreSQL refuses a NUL in text (22021): the live projector dead-lettered this one.
    if (row.includes('\u0000')) {
      refused.push({ partition: batch.partition, offset: batch.offsets[index], source: parsed.value.source, commissionId: parsed.value.commissionId.slice(0, 200) });
      continue;
    }
    rows += row;
    if (rows.length > copyWriteChars) {
      await copy.write(rows);
      rows = '';
    }
  }
  if (rows !== '') await copy.write(rows);
  return { type: 'batch-done', messages: batch.offsets.length, invalid, refused };
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as StagingWriterData).catch((error: Error & { code?: unknown }) => {
    port.postMessage({ type: 'failed', message: error.message, code: typeof error.code === 'string' ? error.code : null } satisfies StagingWriterReply);
  });
}
