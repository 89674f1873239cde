import { cloudEventHeaders, CommissionObserved, Topics } from '@earnings/contracts';
import { KafkaClient, Message, MessageSender } from '@earnings/kafka';
import { eventsPerAui, produceBatchMessages, updateEveryNthEvent } from './limits';

const baseTimeMs = Date.UTC(2025, 0, 1);

/** The commission an event describes: every n-th event is a newer version of the commission n-1 events before it. */
function commissionNumber(index: number): number {
  return index % updateEveryNthEvent === updateEveryNthEvent - 1 ? index - (updateEveryNthEvent - 1) : index;
}

/** Microsecond timestamp, increasing with the index, as the contract wants it (six fractional digits). */
function timestamp(index: number): string {
  return `${new Date(baseTimeMs + index).toISOString().slice(0, 19)}.${String((index % 1000) * 1000 + 1).padStart(6, '0')}Z`;
}

/**
 * The index-th pre-produced event of a run: deterministic, so the bare PostgreSQL upsert can
 * write exactly the rows the projector wrote without reading Kafka. Each AUI gets the commissions
 * of `eventsPerAui` consecutive events, so AUIs are spread over partitions and chunks.
 */
export function benchEvent(run: string, index: number): CommissionObserved {
  const commission = commissionNumber(index);
  const isUpdate = commission !== index;
  const aui = benchAui(run, Math.floor(commission / eventsPerAui));
  const modifiedDate = timestamp(index);
  return {
    type: 'CommissionObserved',
    schemaVersion: 1,
    observationId: `wildfire:bench-${run}-${commission}:${modifiedDate}`,
    source: 'wildfire',
    channel: 'api',
    commissionId: `bench-${run}-${commission}`,
    aui,
    state: isUpdate ? 'PAYABLE' : 'PENDING',
    sourceStatus: isUpdate ? 'paid' : 'pending',
    unit: 'USD',
    userAmount: `${1 + (commission % 97)}.${String(commission % 100_000).padStart(5, '0')}`,
    applicationAmount: null,
    paidByNetwork: false,
    saleAmount: '100.00',
    saleCurrency: 'USD',
    applicationId: '104',
    merchantId: String(5_000_000 + (commission % 5_000)),
    deviceId: null,
    merchantOrderId: `order-${commission}`,
    merchantSkus: [],
    eventDate: `${new Date(baseTimeMs + commission).toISOString().slice(0, 19)}Z`,
    lockingDate: null,
    createdDate: timestamp(commission),
    modifiedDate,
    deliveryId: null,
    apiVersion: 'v4',
    observedAt: new Date().toISOString(),
  };
}

export const benchAui = (run: string, number: number): string => `bench-${run}-aui-${number}`;

function toMessage(event: CommissionObserved): Message {
  return {
    key: event.aui,
    value: JSON.stringify(event),
    headers: cloudEventHeaders({ id: event.observationId, type: 'CommissionObserved', source: '/bench', time: event.observedAt }),
  };
}

/** Produces events [from, to) of `run` to commission-observed with sendBatch (acks=all); returns messages per second. */
export async function produceEvents(kafka: KafkaClient, run: string, from: number, to: number): Promise<number> {
  const producer = new MessageSender(kafka);
  await producer.connect();
  const started = process.hrtime.bigint();
  try {
    // One batch in flight while the next is built: order is kept (updates follow their commission), the broker is kept busy.
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let start = from; start < to; start += produceBatchMessages) {
      const messages: Message[] = [];
      for (let index = start; index < Math.min(to, start + produceBatchMessages); index += 1) messages.push(toMessage(benchEvent(run, index)));
      await inFlight;
      inFlight = producer.send([{ topic: Topics.commissionObserved, messages }]);
    }
    await inFlight;
  } finally {
    await producer.disconnect();
  }
  return (to - from) / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** One AUI's figures in units of 0.00001: generated amounts always have five fractional digits, so they are exact integers of it. */
export interface BenchBalance {
  aui: string;
  lifetime: bigint;
  pending: bigint;
  payable: bigint;
}

/** Adds a generated event to its AUI's figures: a new commission is lifetime and pending, a status change moves pending to payable. */
export function addToBenchBalance(balances: Map<string, BenchBalance>, event: CommissionObserved): void {
  const balance = balances.get(event.aui) ?? { aui: event.aui, lifetime: 0n, pending: 0n, payable: 0n };
  const units = BigInt(event.userAmount.replace('.', ''));
  if (event.state === 'PENDING') {
    balance.lifetime += units;
    balance.pending += units;
  } else {
    balance.pending -= units;
    balance.payable += units;
  }
  balances.set(event.aui, balance);
}

/** Units of 0.00001 as a decimal string with five fractional digits. */
export function decimalOfUnits(units: bigint): string {
  const magnitude = units < 0n ? -units : units;
  return `${units < 0n ? '-' : ''}${magnitude / 100_000n}.${String(magnitude % 100_000n).padStart(5, '0')}`;
}
