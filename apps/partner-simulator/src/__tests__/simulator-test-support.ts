import { wfav1Headers } from '@earnings/sources';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { buildSimulator } from '../server';
import { defaultSimulatorOptions, SimulatorOptions } from '../simulator-options';
import { SimulatorState } from '../simulator-state';

export interface RunningSimulator {
  baseUrl: string;
  state: SimulatorState;
  close(): Promise<void>;
}

/** A simulator in this process on a free port of 127.0.0.1. */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const { app, state } = buildSimulator(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, state, close: () => app.close() };
}

/** A Commission API call signed with the given credentials (the simulator's defaults unless told). */
export function signedGet(url: string, credentials = defaultSimulatorOptions.credentials, timeoutMs = 10_000): Promise<Response> {
  return fetch(url, { headers: { ...wfav1Headers({ ...credentials, now: new Date() }) }, signal: AbortSignal.timeout(timeoutMs) });
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ReceivedCallback {
  rawBody: Buffer;
  signature: string | undefined;
  contentType: string | undefined;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}

/** A stand-in for the ingest endpoint: keeps the exact bytes and answers with `statusFor`. */
export async function startReceiver(statusFor: (body: Buffer) => number = () => 200): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      received.push({ rawBody, signature: request.headers['x-wf-signature'] as string | undefined, contentType: request.headers['content-type'] });
      response.writeHead(statusFor(rawBody), { 'content-type': 'application/json' });
      response.end('{"status":"recorded"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks/wildfire`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
