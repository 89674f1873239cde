import { FirstPromoterApiError, scrubSecret } from './errors';
import { FirstPromoterBatch, FirstPromoterBatchResult, FirstPromoterBatchStatus, FirstPromoterBatchStatuses } from './types';

/** Reads a BatchOperationResponse / BatchProcess body: `{ id, status, total, processed_count, failed_count, processing_errors }`. */
export function readBatch(body: unknown, label: string, apiKey: string): FirstPromoterBatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBatch(label, 'is not an object');
  const fields = body as Record<string, unknown>;
  const status = typeof fields.status === 'string' ? fields.status.toLowerCase() : '';
  if (!isBatchStatus(status)) throw badBatch(label, 'has no known status');
  return {
    id: integerOrNull(fields.id),
    status,
    total: integerOrNull(fields.total),
    processedCount: integerOrNull(fields.processed_count),
    failedCount: integerOrNull(fields.failed_count) ?? 0,
    // Server text can end up in logs: scrubbed like every message.
    processingErrors: Array.isArray(fields.processing_errors) ? fields.processing_errors.map((text) => scrubSecret(String(text), apiKey)) : [],
  };
}

const isBatchStatus = (word: string): word is FirstPromoterBatchStatus => (FirstPromoterBatchStatuses as readonly string[]).includes(word);
const integerOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);
const badBatch = (label: string, problem: string): FirstPromoterApiError => new FirstPromoterApiError('bad-response', `${label}: the batch answer ${problem}`);

export type BatchOutcome = { settled: true; result: FirstPromoterBatchResult } | { settled: false; batchId: number };

/**
 * A finished batch becomes a result or a typed error; a running one (more than 5 ids are
 * processed asynchronously, first `pending` then `in_progress`) must be polled by its id.
 */
export function settleBatch(batch: FirstPromoterBatch, polls: number, label: string): BatchOutcome {
  switch (batch.status) {
    case 'completed':
      return { settled: true, result: completed(batch, polls, label) };
    case 'failed':
      throw batchError('batch-failed', batch, `${label}: batch ${batch.id ?? '(no id)'} failed`);
    case 'stopped':
      throw batchError('batch-stopped', batch, `${label}: batch ${batch.id ?? '(no id)'} was stopped`);
    case 'pending':
    case 'in_progress':
      if (batch.id === null) throw badBatch(label, `is ${batch.status} without a batch id to poll`);
      return { settled: false, batchId: batch.id };
  }
}

/** "completed" only means the run ended: items can still have failed, and the caller must know which. */
function completed(batch: FirstPromoterBatch, polls: number, label: string): FirstPromoterBatchResult {
  if (batch.failedCount > 0) {
    throw batchError('batch-partially-failed', batch, `${label}: batch ${batch.id ?? '(no id)'} completed with ${batch.failedCount} failed item(s)`);
  }
  return { ...batch, status: 'completed', polls };
}

function batchError(code: 'batch-failed' | 'batch-stopped' | 'batch-partially-failed', batch: FirstPromoterBatch, message: string): FirstPromoterApiError {
  return new FirstPromoterApiError(code, message, {
    batchId: batch.id ?? undefined,
    failedCount: batch.failedCount,
    processingErrors: batch.processingErrors,
  });
}
