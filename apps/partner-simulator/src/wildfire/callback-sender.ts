import { hmacSha256Hex } from '@earnings/sources';
import { stableFraction, stableUuid } from '../random';
import { CommissionVersion, SimulatedCommission } from './commission-history';
import { ApiVersion, renderCommission } from './record-shapes';
import { formatMicros, microsPerSecond } from './wire-format';

/** Enough parallelism to load a receiver, few enough sockets for a shared laptop or CI box. */
export const callbacksInFlightMax = 16;

export interface CallbackItem {
  commission: SimulatedCommission;
  version: CommissionVersion;
}

export interface CallbackSendPlan {
  url: string;
  /** 0 to 1: this fraction of callbacks is never sent (Wildfire does not retry a lost callback). */
  dropFraction: number;
  /** Each callback takes one of these shapes, chosen per version from the seed. */
  versions: readonly ApiVersion[];
  /** In ModifiedDate order. */
  items: readonly CallbackItem[];
}

export interface CallbackSendContext {
  seed: string;
  callbackKey: string;
  /** Counts sends, so a resend of the same version gets a new callback ID, as Wildfire's do. */
  sendNumber: number;
  callbackTimeoutMs: number;
}

export interface CallbackSendResult {
  /** Callbacks posted, whatever the answer. */
  sent: number;
  dropped: number;
  /** Posted but answered with a non-2xx status, or no answer at all. */
  failed: number;
  /** By HTTP status, plus `network-error` and `timeout` for callbacks with no answer. */
  statusCounts: Record<string, number>;
}

/**
 * Posts each version as a signed callback, in ModifiedDate order with at most
 * `callbacksInFlightMax` in flight. Versions of one commission go out one after the other, so a
 * receiver never sees an update overtake its create. Failures are counted, never retried.
 */
export async function sendCallbacks(plan: CallbackSendPlan, context: CallbackSendContext): Promise<CallbackSendResult> {
  assertPlan(plan);
  const result: CallbackSendResult = { sent: 0, dropped: 0, failed: 0, statusCounts: {} };
  const previousOfCommission = new Map<number, Promise<void>>();
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < plan.items.length) {
      const item = plan.items[nextIndex];
      nextIndex += 1;
      if (isDropped(context.seed, item, plan.dropFraction)) {
        result.dropped += 1;
        continue;
      }
      const previous = previousOfCommission.get(item.commission.commissionId) ?? Promise.resolve();
      const delivery = previous.then(() => deliver(plan, context, item, result));
      previousOfCommission.set(item.commission.commissionId, delivery);
      await delivery;
    }
  };
  await Promise.all(Array.from({ length: Math.min(callbacksInFlightMax, plan.items.length) }, worker));
  return result;
}

function assertPlan(plan: CallbackSendPlan): void {
  if (!(plan.dropFraction >= 0 && plan.dropFraction <= 1)) throw new RangeError('dropFraction must be between 0 and 1');
  if (plan.versions.length === 0) throw new RangeError('versions must name at least one API version');
}

/**
 * Decided per commission version from the seed alone, so the same versions are dropped on every
 * run and every resend, and a larger fraction drops a superset of a smaller one.
 */
export function isDropped(seed: string, item: CallbackItem, dropFraction: number): boolean {
  return stableFraction('drop', seed, item.commission.commissionId, item.version.index) < dropFraction;
}

function shapeOf(seed: string, item: CallbackItem, versions: readonly ApiVersion[]): ApiVersion {
  const draw = stableFraction('shape', seed, item.commission.commissionId, item.version.index);
  return versions[Math.floor(draw * versions.length)];
}

async function deliver(plan: CallbackSendPlan, context: CallbackSendContext, item: CallbackItem, result: CallbackSendResult): Promise<void> {
  const body = Buffer.from(JSON.stringify(callbackEnvelope(context, item, shapeOf(context.seed, item, plan.versions))), 'utf8');
  const outcome = await post(plan.url, body, hmacSha256Hex(context.callbackKey, body), context.callbackTimeoutMs);
  result.sent += 1;
  result.statusCounts[outcome] = (result.statusCounts[outcome] ?? 0) + 1;
  if (!/^2\d\d$/.test(outcome)) result.failed += 1;
}

/** Envelope letter case follows the fixtures: PascalCase for v2, lower case for v3 and v4. */
export function callbackEnvelope(context: CallbackSendContext, item: CallbackItem, apiVersion: ApiVersion): Record<string, unknown> {
  const id = stableUuid('callback', context.seed, context.sendNumber, item.commission.commissionId, item.version.index, apiVersion);
  const action = item.version.index === 0 ? 'create' : 'update';
  const payload = renderCommission(item.commission, item.version, apiVersion);
  // Wildfire sends a callback shortly after the change; the delay is fixed per version by the seed.
  const delaySeconds = 1 + Math.floor(stableFraction('callback-delay', context.seed, item.commission.commissionId, item.version.index) * 120);
  const createdDate = formatMicros(item.version.modified.micros + delaySeconds * microsPerSecond);
  if (apiVersion === 'v2') return { ID: id, Type: 'commission', Action: action, Payload: payload, CreatedDate: createdDate };
  return { id, type: 'commission', action, payload, createddate: createdDate };
}

/** The HTTP status as text, or `timeout` / `network-error` when there was no answer. */
async function post(url: string, body: Buffer, signatureHex: string, timeoutMs: number): Promise<string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wf-signature': `sha256=${signatureHex}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the answer so the connection goes back to the pool.
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    const name = (error as Error).name;
    return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network-error';
  }
}
