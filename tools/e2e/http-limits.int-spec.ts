import { connect, Socket } from 'node:net';
import { createSuiteDatabase, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase } from './test-stack';

const requestTimeoutMs = 2_000;
const keepAliveTimeoutMs = 1_500;
/** Far beyond every timeout above, yet a bound: a connection still open then is one the server never closes. */
const closeObservedMsMax = 15_000;

interface RawExchange {
  /** Everything the server wrote before closing. */
  received: string;
  closedAfterMs: number | 'still open';
}

/**
 * Opens a raw connection, writes `head`, then one byte of `drip` every `dripIntervalMs`, and
 * reports what came back and when the server closed the connection (or that it had not by the bound).
 */
function exchange(port: number, head: string, drip: string, dripIntervalMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let next = 0;
    const dripper = setInterval(() => {
      if (next < drip.length && socket.writable) socket.write(drip[next]);
      next += 1;
    }, dripIntervalMs);
    const bound = setTimeout(() => finish('still open'), closeObservedMsMax);
    function finish(closedAfterMs: number | 'still open'): void {
      clearInterval(dripper);
      clearTimeout(bound);
      socket.destroy();
      resolve({ received, closedAfterMs });
    }
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', () => undefined);
    socket.write(head);
  });
}

function bodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

/**
 * The HTTP limits every service applies (issue 17, finding 8): a client that drips its request
 * is cut off after HTTP_REQUEST_TIMEOUT_MS with 408, oversized headers get 431, and idle
 * keep-alive connections are closed; all in the documented error shape.
 */
describe('HTTP limits', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let port: number;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('http_limits');
    apps = await startApps(['ingest'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn', WILDFIRE_CALLBACK_KEYS: 'e2e-limits-callback-key',
      HTTP_REQUEST_TIMEOUT_MS: String(requestTimeoutMs), HTTP_HEADERS_TIMEOUT_MS: String(requestTimeoutMs), HTTP_KEEP_ALIVE_TIMEOUT_MS: String(keepAliveTimeoutMs),
      HTTP_HEADER_BYTES_MAX: '4096',
    });
    port = apps.ports.ingest;
  }, 180_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('closes a connection dripping its body a byte at a time, answering 408 request-timeout', async () => {
    const head = 'POST /callbacks/wildfire HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const result = await exchange(port, head, '{"padding":"' + 'x'.repeat(100), 500);
    expect(result.closedAfterMs).not.toBe('still open');
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(result.received)).toEqual({ error: { code: 'request-timeout', message: expect.any(String) } });
  });

  it('closes a connection dripping its headers, answering 408 request-timeout', async () => {
    const result = await exchange(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: ' + 'y'.repeat(100), 500);
    expect(result.closedAfterMs).not.toBe('still open');
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(result.received)).toEqual({ error: { code: 'request-timeout', message: expect.any(String) } });
  });

  it('answers headers over HTTP_HEADER_BYTES_MAX with 431 headers-too-large', async () => {
    const result = await exchange(port, `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'z'.repeat(8_000)}\r\n\r\n`, '', 1_000);
    expect(result.received).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(result.received)).toEqual({ error: { code: 'headers-too-large', message: expect.any(String) } });
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const result = await exchange(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n', '', 1_000);
    expect(result.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.closedAfterMs).not.toBe('still open');
  });
});
