import { benchCallbackKey, signedV4Callbacks } from './callbacks';
import { withCpuPerUnit } from './cpu';
import { kafkaPathAlone } from './kafka-path';
import { LoadFigures, PreparedRequest, runLoad, warmUp } from './load';
import { BenchSizes } from './limits';
import { ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

/** Ingest's environment in the benchmark: callbacks only (no Commission API sync, no FirstPromoter). */
export function ingestEnv(database: BenchDatabase): Record<string, string> {
  return { DATABASE_URL: database.url, WILDFIRE_CALLBACK_KEYS: benchCallbackKey, WILDFIRE_API_BASE_URL: '', FIRSTPROMOTER_WEBHOOK_SECRETS: '', FIRSTPROMOTER_API_KEY: '' };
}

/** Sends one callback outside the load and fails loudly unless it is accepted: a load of 401s would measure nothing. */
export async function assertAccepted(url: string, request: PreparedRequest): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status} to a signed v4 callback: ${await response.text()}`);
}

interface IngestLoads {
  closedLoop: LoadFigures;
  atRate: LoadFigures;
  /** CPU of the serving process per answered request during the closed-loop load. */
  cpuMsPerRequest: number;
}

/** The same two loads against one URL (served by process `pid`): as fast as it answers, then at the sustained rate. */
async function twoLoads(url: string, pid: number, sizes: BenchSizes, closedLoopBodies: PreparedRequest[], atRateBodies: PreparedRequest[], warmUpBodies: PreparedRequest[]): Promise<IngestLoads> {
  await warmUp(url, sizes.loadConnections, sizes.warmUpMs, warmUpBodies);
  const closedLoop = await withCpuPerUnit(pid, () => runLoad({ url, connections: sizes.loadConnections, durationMs: sizes.loadDurationMs, requests: closedLoopBodies }), (figures) => figures.ok + figures.failed);
  const atRate = await runLoad({ url, connections: sizes.loadConnections, durationMs: sizes.loadDurationMs, overallRate: sizes.ingestSustainedRatePerSecond, requests: atRateBodies });
  return { closedLoop: closedLoop.result, atRate, cpuMsPerRequest: closedLoop.cpuMsPerUnit };
}

/** Signed v4 callbacks per second and latency at a sustained rate, beside a bare Node http handler that reads the body and answers 200. */
export async function ingestBench(stack: BenchStack, book: ResultBook, sizes: BenchSizes, database: BenchDatabase): Promise<void> {
  const step = '1. ingest (signed v4 callbacks)';
  const closedLoopBodies = signedV4Callbacks('ingest-max', sizes.callbackBodiesMax, 100_000_000);
  const warmUpBodies = signedV4Callbacks('ingest-warm', Math.ceil(sizes.warmUpMs * 5), 700_000_000);
  const atRateBodies = signedV4Callbacks('ingest-rate', Math.ceil((sizes.ingestSustainedRatePerSecond * sizes.loadDurationMs) / 1000) + 1_000, 200_000_000);
  const ingest = await stack.startService('ingest', 'ingest', ingestEnv(database));
  let service: IngestLoads;
  try {
    const url = `${ingest.baseUrl}/callbacks/wildfire`;
    await assertAccepted(url, signedV4Callbacks('ingest-check', 1, 300_000_000)[0]);
    service = await twoLoads(url, ingest.child.pid!, sizes, closedLoopBodies, atRateBodies, warmUpBodies);
  } finally {
    await ingest.stop();
  }
  const bare = await stack.startBareServer('http', 'bare-http');
  let limit: IngestLoads;
  try {
    limit = await twoLoads(`${bare.url}/callbacks/wildfire`, bare.pid, sizes, closedLoopBodies, atRateBodies, warmUpBodies);
  } finally {
    await bare.stop();
  }
  const kafkaPath = await kafkaPathAlone(stack.kafka('earnings-bench-kafka-path'), closedLoopBodies, sizes.loadConnections, sizes.loadDurationMs);
  const kafkaLimit = `ingest's BatchingProducer alone, ${sizes.loadConnections} concurrent senders`;
  const bareLimit = 'bare Node http: read body, 200';
  const failures = (loads: IngestLoads) => `${loads.closedLoop.failed + loads.atRate.failed} failed requests`;
  book.add({ step, figure: `callbacks/s, ${sizes.loadConnections} connections`, value: service.closedLoop.okPerSecond, unit: 'req/s', limit: bareLimit, limitValue: limit.closedLoop.okPerSecond, note: `ingest ${failures(service)}; bare ${failures(limit)}` });
  book.add({ step, figure: `callbacks/s, ${sizes.loadConnections} connections`, value: service.closedLoop.okPerSecond, unit: 'req/s', limit: kafkaLimit, limitValue: kafkaPath.perSecond, note: `two messages per callback, acks=all; alone: p50 ${kafkaPath.p50Ms.toFixed(1)} ms, p99 ${kafkaPath.p99Ms.toFixed(1)} ms, ${Math.round(kafkaPath.messagesPerBatch)} messages per sendBatch` });
  book.add({ step, figure: 'CPU per callback (ingest process)', value: service.cpuMsPerRequest, unit: 'ms', limit: bareLimit, limitValue: limit.cpuMsPerRequest, note: 'user + system CPU during the closed-loop load, per answered request: steadier than a rate when processes share the cores' });
  book.add({ step, figure: `p50 latency at ${sizes.ingestSustainedRatePerSecond}/s`, value: service.atRate.p50Ms, unit: 'ms', limit: bareLimit, limitValue: limit.atRate.p50Ms });
  book.add({ step, figure: `p99 latency at ${sizes.ingestSustainedRatePerSecond}/s`, value: service.atRate.p99Ms, unit: 'ms', limit: bareLimit, limitValue: limit.atRate.p99Ms });
  book.add({ step, figure: `p99 latency, ${sizes.loadConnections} connections flat out`, value: service.closedLoop.p99Ms, unit: 'ms', limit: bareLimit, limitValue: limit.closedLoop.p99Ms });
  if (service.closedLoop.failed + service.atRate.failed > 0) book.problem(`ingest: ${failures(service)} during the loads`);
}
