import { readFileSync } from 'node:fs';
import { Agent, createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@earnings/contracts';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, workspaceRoot } from '@earnings/testing';
import { freePort } from '../local-stack/kafka-broker';
import { ServiceProcess, startServiceProcess, waitUntilReady } from '../local-stack/processes';
import { createSuiteDatabase, eventually, readWholeTopic, requireTestInfrastructure, signedWildfireCallback, SuiteDatabase, uniqueSuffix } from './test-stack';

/** How long a terminating ingest keeps serving, not ready, before it closes (the pod's preStop pause on Kubernetes). */
const drainMs = 4_000;
/** How long the load balancer takes to stop sending requests to a terminating pod (endpoint removal reaching kube-proxy and the ingress). */
const endpointRemovalMs = 1_000;
const callbackSenders = 8;
const loadMs = 7_000;

/** A proxy keeps its own connections on each side: Connection and the like apply to one hop only. */
function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _transferEncoding, upgrade: _upgrade, ...endToEnd } = headers;
  return endToEnd;
}

/**
 * A load balancer as Kubernetes gives ingest one: round robin over the ready endpoints with
 * keep-alive connections, which stops choosing an endpoint only some time after its pod began
 * terminating. What it cannot reach counts as refused (a 502 to Wildfire, which never retries).
 */
async function startLoadBalancer(endpoints: string[]): Promise<{ url: string; remove(endpoint: string): void; close(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let ready = [...endpoints];
  let next = 0;
  const server: Server = createServer((request, response) => {
    const target = new URL(request.url ?? '/', ready[next++ % ready.length]);
    const upstream = httpRequest(target, { method: request.method, headers: withoutHopByHop(request.headers), agent }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' }).end(`refused: ${error.message}`);
      else response.destroy();
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    remove: (endpoint) => (ready = ready.filter((candidate) => candidate !== endpoint)),
    close: async () => {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Issue 25: a rolling update or a node drain terminates ingest pods under load. Wildfire never
 * retries a callback, so one refused while the pod's endpoint is being removed is lost until the
 * next API sync. ingest keeps serving for SHUTDOWN_DRAIN_MS after SIGTERM (readiness 503, every
 * answer saying Connection: close), then stops accepting and finishes what is in flight.
 */
describe('ingest terminated under callback load', () => {
  let database: SuiteDatabase;
  let env: Record<string, string>;
  const ingests: ServiceProcess[] = [];
  const suffix = uniqueSuffix();
  const aui = `drain-${suffix}`;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('drain');
    env = {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'info', WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      SHUTDOWN_DRAIN_MS: String(drainMs), SHUTDOWN_TIMEOUT_MS: '10000',
    };
    const logDirectory = process.env.TEST_SCRATCH_DIR ?? tmpdir();
    for (let index = 0; index < 2; index += 1) {
      const port = await freePort();
      ingests.push(startServiceProcess({ workspaceRoot: workspaceRoot(), name: 'ingest', port, env: { ...env, INGEST_PORT: String(port) }, logFile: join(logDirectory, `ingest-drain-${port}.log`) }));
    }
    await Promise.all(ingests.map((ingest) => waitUntilReady(ingest, '/health/ready')));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(ingests.map((ingest) => ingest.stop(15_000)));
    await database?.drop();
  });

  it('answers every callback while one of two pods drains and stops, and each answered callback is in Kafka', async () => {
    const [terminating, staying] = ingests;
    const balancer = await startLoadBalancer(ingests.map((ingest) => ingest.baseUrl));
    const answers: { id: number; status: number; body: string }[] = [];
    let nextId = 9_000_000 + Math.floor(Math.random() * 500_000) * 2;
    const loadEnds = Date.now() + loadMs;
    const sender = async () => {
      while (Date.now() < loadEnds) {
        const id = (nextId += 1);
        const callback = signedWildfireCallback({ id, aui, status: 'pending', amount: '1.25', eventDate: '2026-02-01T00:00:00Z', modifiedDate: '2026-02-01T00:00:00.000001Z' });
        // A connection that fails counts as refused (status 0), like an answer other than 200.
        const answer = await fetch(`${balancer.url}/callbacks/wildfire`, { method: 'POST', headers: callback.headers, body: callback.body })
          .then(async (response) => ({ status: response.status, body: await response.text() }), (error: Error) => ({ status: 0, body: String(error.cause ?? error.message) }));
        answers.push({ id, ...answer });
      }
    };
    try {
      const load = Promise.all(Array.from({ length: callbackSenders }, sender));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const exited = new Promise<number | null>((resolve) => terminating.child.once('exit', resolve));
      terminating.child.kill('SIGTERM');
      const endpointRemoved = new Promise<void>((resolve) => setTimeout(() => resolve(balancer.remove(terminating.baseUrl)), endpointRemovalMs));
      // Terminating but still serving: not ready, so load balancers that probe take it out too (one probe may have begun before the signal).
      const readiness = await eventually(async () => {
        const answer = await fetch(`${terminating.baseUrl}/health/ready`);
        // Once closing, Fastify answers 503 itself, without the checks.
        return [answer.status, ((await answer.json()) as { checks?: Record<string, string> }).checks?.shutdown];
      }, ([status]) => status === 503, drainMs - 500);
      expect(readiness).toEqual([503, 'draining']);
      await endpointRemoved;
      await load;
      expect(await exited).toBe(0);

      const refused = answers.filter((answer) => answer.status !== 200);
      expect({ answered: answers.length > 100, refused: refused.slice(0, 5) }).toEqual({ answered: true, refused: [] });
      const published = new Set((await readWholeTopic(Topics.commissionObserved)).filter((message) => message.key === aui).map((message) => Number((JSON.parse(message.value) as { commissionId: string }).commissionId)));
      expect(answers.filter((answer) => !published.has(answer.id)).map((answer) => answer.id)).toEqual([]);
      expect(staying.child.exitCode).toBeNull();
    } finally {
      await balancer.close();
    }
  }, 120_000);

  it('measures and logs its requests: the request duration by route and status, the Kafka produce latency, an access log line with the request id', async () => {
    const staying = ingests[1];
    const callback = signedWildfireCallback({ id: 9_999_001, aui, status: 'pending', amount: '2.50', eventDate: '2026-02-01T00:00:00Z', modifiedDate: '2026-02-01T00:00:00.000001Z' });
    const requestId = `drain-test-${suffix}`;
    const answer = await fetch(`${staying.baseUrl}/callbacks/wildfire`, { method: 'POST', headers: { ...callback.headers, 'x-request-id': requestId }, body: callback.body });
    expect([answer.status, answer.headers.get('x-request-id')]).toEqual([200, requestId]);
    const metrics = await (await fetch(`${staying.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^http_server_request_duration_seconds_count\{http_request_method="POST",http_route="\/callbacks\/wildfire",http_response_status_code="200"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^kafka_produce_duration_seconds_count\{producer="ingest",outcome="acknowledged"\} [1-9]\d*$/m);
    const logFile = join(process.env.TEST_SCRATCH_DIR ?? tmpdir(), `ingest-drain-${new URL(staying.baseUrl).port}.log`);
    const accessLine = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(accessLine).toEqual([expect.objectContaining({ msg: 'http request', requestId, method: 'POST', route: '/callbacks/wildfire', status: 200, client: '127.0.0.1' })]);
  }, 60_000);
});
