import { createHmac, randomUUID } from 'node:crypto';
import { PreparedRequest } from './load';

/** The key ingest is started with in the benchmark; callbacks are signed with it. */
export const benchCallbackKey = 'bench-callback-key';

/** The AUI of the index-th callback of `prefix`: every callback has a user of its own. */
export const callbackAui = (prefix: string, index: number): string => `cb-${prefix}-${index}`;

/** A Wildfire v4 commission callback for a distinct commission and AUI, signed (X-WF-Signature) over its exact bytes. */
export function signedV4Callback(prefix: string, index: number, commissionIdBase: number): PreparedRequest {
  const now = new Date();
  const modified = `${now.toISOString().slice(0, 19)}.${String(index % 1_000_000).padStart(6, '0')}Z`;
  const body = JSON.stringify({
    id: randomUUID(),
    type: 'commission',
    action: 'create',
    payload: {
      commissionid: commissionIdBase + index,
      applicationid: 104,
      merchantid: 5479397,
      deviceid: 15319832,
      saleamount: { amount: '60.99', currency: 'usd' },
      amounts: [{ amount: `${1 + (index % 50)}.${String(index % 10_000).padStart(4, '0')}`, currency: 'usd', splitpart: 'application' }],
      status: 'pending',
      trackingcode: callbackAui(prefix, index),
      eventdate: `${now.toISOString().slice(0, 19)}Z`,
      lockingdate: '2030-01-01T05:00:00Z',
      createddate: modified,
      modifieddate: modified,
      merchantorderid: `bench-order-${prefix}-${index}`,
      merchantsku: '',
    },
  });
  const signature = createHmac('sha256', benchCallbackKey).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-wf-signature': `sha256=${signature}` } };
}

/** `count` pre-signed callbacks of `prefix`, built before a load starts so signing costs the load nothing. */
export function signedV4Callbacks(prefix: string, count: number, commissionIdBase: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, index) => signedV4Callback(prefix, index, commissionIdBase));
}
