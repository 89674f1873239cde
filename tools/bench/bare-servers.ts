import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';

/**
 * The limits the services are measured against, each a bare Node http server in its own process
 * (as each service is):
 *   node dist/tools/bench/bare-servers.js http <port>   reads the body, answers 200
 *   node dist/tools/bench/bare-servers.js sql <port>    DATABASE_URL, BENCH_SCHEMA: the earnings lookup as one SQL statement
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function httpHandler() {
  return async (request: IncomingMessage, response: ServerResponse) => {
    await readBody(request);
    answer(response, 200, '{"status":"recorded"}');
  };
}

/** The same statement as the query service's EarningsRepository.earningsOfMany, for one AUI taken from the GraphQL variables. */
function sqlHandler(databaseUrl: string, schema: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema ${schema}`);
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const statement = `SELECT aui, unit, lifetime::text, pending::text, available::text, paid_out::text, paid_by_network::text, updated_at
                       FROM ${schema}.balance WHERE aui = ANY($1::text[]) ORDER BY aui, unit`;
  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return answer(response, 200, '{"status":"up"}');
    const { variables } = JSON.parse((await readBody(request)).toString('utf8')) as { variables: { aui: string } };
    const { rows } = await pool.query(statement, [[variables.aui]]);
    const balances = rows.map((row) => ({ unit: row.unit, lifetime: row.lifetime, pending: row.pending, available: row.available, paidOut: row.paid_out, paidByNetwork: row.paid_by_network }));
    answer(response, 200, JSON.stringify({ data: { earnings: { aui: variables.aui, balances, updatedAt: rows[0]?.updated_at ?? null } } }));
  };
}

function main(): void {
  const [kind, port] = process.argv.slice(2);
  const handler = kind === 'sql' ? sqlHandler(process.env.DATABASE_URL ?? '', process.env.BENCH_SCHEMA ?? 'ledger_1') : httpHandler();
  const server = createServer((request, response) => {
    handler(request, response).catch((error: Error) => answer(response, 500, JSON.stringify({ error: error.message })));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main();
