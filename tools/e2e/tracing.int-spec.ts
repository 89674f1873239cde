import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import {
  createSuiteDatabase, eventually, graphql, projectFromCurrentEnd, queryApiKey, requireTestInfrastructure, RunningApps, signedWildfireCallback, startApps, SuiteDatabase, uniqueSuffix,
} from './test-stack';

/**
 * Issue 15: one Wildfire callback is followed from ingest's HTTP span, through the Kafka message
 * (W3C traceparent), to the projector's PostgreSQL transaction that applied it. The services
 * export over OTLP/HTTP to a collector kept in memory by this test.
 */
interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, string>;
  links: { traceId: string; spanId: string }[];
}

interface OtlpAttribute { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } }
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[]; links?: { traceId: string; spanId: string }[] }
interface OtlpRequest { resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }

const attributesOf = (attributes: OtlpAttribute[] = []) => Object.fromEntries(attributes.map((attribute) => [attribute.key, String(attribute.value.stringValue ?? attribute.value.intValue ?? attribute.value.boolValue ?? '')]));

/** An OTLP/HTTP JSON trace receiver that keeps every span in memory. */
async function startCollector(): Promise<{ url: string; spans: CollectedSpan[]; close(): Promise<void> }> {
  const spans: CollectedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = attributesOf(resourceSpans.resource.attributes)['service.name'];
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, attributes: attributesOf(span.attributes), links: span.links ?? [] });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a trace from one callback to the projector', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  const suffix = uniqueSuffix();
  const apiKey = queryApiKey();

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    collector = await startCollector();
    database = await createSuiteDatabase('tracing');
    const projectorGroup = `tracing-projector-${suffix}`;
    await projectFromCurrentEnd(database.url, projectorGroup);
    apps = await startApps(['ingest', 'ledger-projector', 'query'], {
      ...apiKey.env, KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'info', WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      PROJECTOR_CONSUMER_GROUP: projectorGroup, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '200',
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
    await collector?.close();
  });

  it("reaches the projector's transaction through the Kafka message, and GraphQL is traced too", async () => {
    const aui = `tracing-${suffix}`;
    const callback = signedWildfireCallback({ id: 7_000_000 + Math.floor(Math.random() * 1_000_000), aui, status: 'paid', amount: '3.25', eventDate: '2026-01-02T00:00:00Z', modifiedDate: '2026-01-02T00:00:00.000001Z' });
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body })).status).toBe(200);

    const request = await eventually(async () => collector.spans.find((span) => span.service === 'ingest' && span.attributes['url.path'] === '/callbacks/wildfire'), (span) => span !== undefined, 30_000);
    const callbackTrace = request!.traceId;
    // The access log line of that request carries its trace and span: from a log line to its trace and back.
    const ingestLog = readFileSync(join(apps.logDirectory, `ingest-${apps.ports.ingest}.log`), 'utf8').split('\n').filter((line) => line.includes('"path":"/callbacks/wildfire"'));
    expect(ingestLog.map((line) => JSON.parse(line) as Record<string, string>).find((line) => line.trace_id === callbackTrace)).toMatchObject({ msg: 'http request', trace_id: callbackTrace, span_id: request!.spanId });
    expect(collector.spans.filter((span) => span.traceId === callbackTrace && span.name === 'send earnings.commission-observed.v1').length).toBeGreaterThan(0);

    // kafkajs' eachBatch: a "process" span per message, linked to the trace the message carried, under the batch's span.
    const processed = await eventually(
      async () => collector.spans.find((span) => span.service === 'ledger-projector' && span.name === 'process earnings.commission-observed.v1' && span.links.some((link) => link.traceId === callbackTrace)),
      (span) => span !== undefined, 60_000,
    );
    const projectorTrace = processed!.traceId;
    const transaction = await eventually(
      async () => collector.spans.filter((span) => span.service === 'ledger-projector' && span.traceId === projectorTrace && (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql').map((span) => span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? span.name),
      (statements) => statements.some((statement) => /^COMMIT/i.test(statement)) && statements.some((statement) => /INSERT INTO \w+\.commission\b/.test(statement)),
      60_000,
    );
    expect(transaction.some((statement) => /^BEGIN|START TRANSACTION/i.test(statement))).toBe(true);

    expect((await graphql(apps.url('query', '/graphql'), `{ earnings(aui: "${aui}") { aui } }`, {}, apiKey.headers)).errors).toBeUndefined();
    await eventually(async () => collector.spans.filter((span) => span.service === 'query' && span.name.startsWith('graphql')).length, (count) => count > 0, 30_000);
  }, 180_000);
});
