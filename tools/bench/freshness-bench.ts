import { Topics } from '@earnings/contracts';
import { KafkaClient, runConsumer, RunningConsumer } from '@earnings/kafka';
import pino from 'pino';
import { Client } from 'pg';
import { waitForProjector, nowMs } from './catch-up';
import { callbackAui, signedV4Callback, signedV4Callbacks } from './callbacks';
import { assertAccepted, ingestEnv } from './ingest-bench';
import { chunksCommitted } from './projector-bench';
import { BenchSizes, freshnessAuisPerRequest, freshnessGiveUpMs, freshnessPollMs } from './limits';
import { runLoad, LoadFigures } from './load';
import { queryEnv, queryHeaders } from './query-bench';
import { ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

/** Per sampled AUI: when ingest answered 2xx, and when its event reached Kafka readers and GraphQL readers. */
interface Sample {
  acceptedAtMs?: number;
  /** The same moment on the wall clock, to compare with PostgreSQL's now() of the projector's transaction. */
  acceptedAtWallMs?: number;
  /** When the projector's transaction that wrote the balance began (balance.updated_at = now()). */
  appliedAtWallMs?: number;
  inKafkaAtMs?: number;
  inGraphqlAtMs?: number;
}

const samplePrefix = 'fresh-sample';

/** A consumer of commission-observed from its end, noting when each sampled AUI's event arrives: the transport's limit. */
async function startKafkaWatcher(kafka: KafkaClient, samples: Map<string, Sample>): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: 'bench-freshness', topics: [Topics.commissionObserved], offsets: { kind: 'live' }, sessionTimeoutMs: 30_000,
    maxWaitTimeInMs: 100, maxBytesPerPartition: 1024 * 1024, logger: pino({ level: 'silent' }),
  }, async (batch) => {
    const atMs = nowMs();
    for (const message of batch.messages) {
      const sample = samples.get(message.key?.toString('utf8') ?? '');
      if (sample && sample.inKafkaAtMs === undefined) sample.inKafkaAtMs = atMs;
    }
  });
}

/** One GraphQL request with an aliased `earnings` field per AUI; returns the AUIs that have a balance. */
async function visibleAuis(graphqlUrl: string, auis: string[]): Promise<Set<string>> {
  const fields = auis.map((aui, index) => `a${index}: earnings(aui: ${JSON.stringify(aui)}) { aui balances { unit } }`).join(' ');
  const response = await fetch(graphqlUrl, { method: 'POST', headers: queryHeaders, body: JSON.stringify({ query: `{ ${fields} }` }) });
  const { data } = (await response.json()) as { data?: Record<string, { aui: string; balances: unknown[] }> };
  return new Set(Object.values(data ?? {}).filter((earnings) => earnings.balances.length > 0).map((earnings) => earnings.aui));
}

/** Polls GraphQL for every sampled AUI not yet visible, until all are or `until` says stop. */
async function pollGraphql(graphqlUrl: string, samples: Map<string, Sample>, until: () => boolean): Promise<void> {
  while (!until()) {
    const pending = [...samples].filter(([, sample]) => sample.acceptedAtMs !== undefined && sample.inGraphqlAtMs === undefined).map(([aui]) => aui);
    for (let start = 0; start < pending.length; start += freshnessAuisPerRequest) {
      const visible = await visibleAuis(graphqlUrl, pending.slice(start, start + freshnessAuisPerRequest));
      const atMs = nowMs();
      for (const aui of visible) samples.get(aui)!.inGraphqlAtMs = atMs;
    }
    await new Promise((resolve) => setTimeout(resolve, freshnessPollMs));
  }
}

/** Sends the sampled callbacks at their own pace for `durationMs`, noting each 2xx. */
async function sendSamples(callbackUrl: string, sizes: BenchSizes, samples: Map<string, Sample>): Promise<number> {
  const intervalMs = 1000 / sizes.freshnessSamplesPerSecond;
  const count = Math.floor(sizes.freshnessDurationMs / intervalMs);
  const sends: Promise<void>[] = [];
  let failed = 0;
  for (let index = 0; index < count; index += 1) {
    const request = signedV4Callback(samplePrefix, index, 500_000_000);
    const aui = callbackAui(samplePrefix, index);
    // Registered before sending: a Kafka reader may see the event before the 2xx reaches us.
    const sample: Sample = {};
    samples.set(aui, sample);
    const refused = () => {
      samples.delete(aui);
      failed += 1;
    };
    sends.push(
      fetch(callbackUrl, { method: 'POST', headers: request.headers, body: request.body }).then(async (response) => {
        const acceptedAtMs = nowMs();
        const acceptedAtWallMs = Date.now();
        await response.arrayBuffer();
        if (response.ok) Object.assign(sample, { acceptedAtMs, acceptedAtWallMs });
        else refused();
      }, refused),
    );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await Promise.all(sends);
  return failed;
}

/** Notes when the projector's transaction that first wrote each sampled balance began. */
async function readApplyTimes(databaseUrl: string, samples: Map<string, Sample>): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ aui: string; at: number }>(
      'SELECT aui, (extract(epoch FROM updated_at) * 1000)::float8 AS at FROM ledger_1.balance WHERE aui = ANY($1::text[])',
      [[...samples.keys()]],
    );
    for (const row of rows.rows) samples.get(row.aui)!.appliedAtWallMs = row.at;
  } finally {
    await client.end();
  }
}

const percentile = (values: number[], fraction: number): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
};

interface FreshnessOutcome {
  load: LoadFigures;
  samples: Map<string, Sample>;
  failedSamples: number;
}

async function measure(stack: BenchStack, sizes: BenchSizes, ingestUrl: string, graphqlUrl: string): Promise<FreshnessOutcome> {
  const samples = new Map<string, Sample>();
  const watcher = await startKafkaWatcher(stack.kafka('earnings-bench-freshness'), samples);
  try {
    const loadRequests = signedV4Callbacks('fresh-load', Math.ceil((sizes.freshnessRatePerSecond * sizes.freshnessDurationMs) / 1000) + 1_000, 400_000_000);
    let sending = true;
    const allVisibleOrLate = () =>
      !sending && [...samples.values()].every((sample) => sample.acceptedAtMs === undefined || sample.inGraphqlAtMs !== undefined || nowMs() - sample.acceptedAtMs > freshnessGiveUpMs);
    const poller = pollGraphql(graphqlUrl, samples, allVisibleOrLate);
    const rate = sizes.freshnessRatePerSecond - sizes.freshnessSamplesPerSecond;
    const [load, failedSamples] = await Promise.all([
      runLoad({ url: ingestUrl, connections: sizes.loadConnections, durationMs: sizes.freshnessDurationMs, overallRate: rate, requests: loadRequests }),
      sendSamples(ingestUrl, sizes, samples),
    ]);
    sending = false;
    await poller;
    return { load, samples, failedSamples };
  } finally {
    await watcher.stop();
  }
}

/** From a callback's 2xx to its balance in GraphQL, at the freshness rate, beside 2xx-to-readable-in-Kafka for the same callbacks. */
export async function freshnessBench(stack: BenchStack, book: ResultBook, sizes: BenchSizes, database: BenchDatabase, projectorGroup: string): Promise<void> {
  const projector = await stack.startService('ledger-projector', 'freshness', { DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: projectorGroup });
  const ingest = await stack.startService('ingest', 'freshness', ingestEnv(database));
  const query = await stack.startService('query', 'freshness', queryEnv(database));
  let outcome: FreshnessOutcome;
  let chunksBefore = 0;
  try {
    const ingestUrl = `${ingest.baseUrl}/callbacks/wildfire`;
    await assertAccepted(ingestUrl, signedV4Callbacks('fresh-check', 1, 600_000_000)[0]);
    const warmUpBodies = signedV4Callbacks('fresh-warm', Math.ceil((sizes.freshnessRatePerSecond * sizes.warmUpMs) / 1000) + 100, 800_000_000);
    await runLoad({ url: ingestUrl, connections: sizes.loadConnections, durationMs: sizes.warmUpMs, overallRate: sizes.freshnessRatePerSecond, requests: warmUpBodies });
    // Whatever earlier steps left in the topic is applied first, so the load starts from a caught-up projector.
    await waitForProjector(database.url, projectorGroup, await stack.endOffsetTotal());
    chunksBefore = await chunksCommitted(database);
    outcome = await measure(stack, sizes, ingestUrl, `${query.baseUrl}/graphql`);
    await readApplyTimes(database.url, outcome.samples);
  } finally {
    await Promise.all([query.stop(), ingest.stop(), projector.stop()]);
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  reportFreshness(book, sizes, outcome, (await chunksCommitted(database)) - chunksBefore);
}

/** The freshness rows: 2xx to GraphQL and to the projector's transaction, each beside 2xx to readable in Kafka. */
function reportFreshness(book: ResultBook, sizes: BenchSizes, outcome: FreshnessOutcome, chunks: number): void {
  const step = `5. freshness at ${sizes.freshnessRatePerSecond} callbacks/s`;
  const samples = [...outcome.samples.values()].filter((sample) => sample.acceptedAtMs !== undefined);
  const toGraphql = samples.filter((sample) => sample.inGraphqlAtMs !== undefined).map((sample) => sample.inGraphqlAtMs! - sample.acceptedAtMs!);
  // A Kafka reader can see the event before the 2xx reaches the client: that counts as 0.
  const toKafka = samples.filter((sample) => sample.inKafkaAtMs !== undefined).map((sample) => Math.max(0, sample.inKafkaAtMs! - sample.acceptedAtMs!));
  const achieved = outcome.load.okPerSecond + sizes.freshnessSamplesPerSecond;
  const callbacks = outcome.load.ok + samples.length;
  const chunkNote = `the projector committed ${chunks.toLocaleString('en-US')} chunk transactions for ~${callbacks.toLocaleString('en-US')} callbacks (~${(callbacks / Math.max(chunks, 1)).toFixed(1)} events each, ${(chunks / (sizes.freshnessDurationMs / 1000)).toFixed(1)}/s)`;
  const note = `${toGraphql.length} of ${samples.length} sampled callbacks visible (${outcome.failedSamples} samples refused); ~${Math.round(achieved)} callbacks/s achieved; GraphQL polled every ${freshnessPollMs} ms; ${chunkNote}`;
  const limit = 'same callbacks: 2xx to readable by a bare kafkajs consumer';
  book.add({ step, figure: 'p50 2xx to balance in GraphQL', value: percentile(toGraphql, 0.5), unit: 'ms', limit, limitValue: percentile(toKafka, 0.5), note });
  book.add({ step, figure: 'p99 2xx to balance in GraphQL', value: percentile(toGraphql, 0.99), unit: 'ms', limit, limitValue: percentile(toKafka, 0.99) });
  const toApplied = samples.filter((sample) => sample.appliedAtWallMs !== undefined).map((sample) => Math.max(0, sample.appliedAtWallMs! - sample.acceptedAtWallMs!));
  book.add({ step, figure: 'p50 2xx to projector transaction start', value: percentile(toApplied, 0.5), unit: 'ms', limit, limitValue: percentile(toKafka, 0.5), note: 'balance.updated_at (now() of the transaction) against the wall clock at 2xx' });
  book.add({ step, figure: 'p99 2xx to projector transaction start', value: percentile(toApplied, 0.99), unit: 'ms', limit, limitValue: percentile(toKafka, 0.99) });
  if (toGraphql.length < samples.length) book.problem(`freshness: ${samples.length - toGraphql.length} sampled balances not visible within ${freshnessGiveUpMs} ms`);
}
