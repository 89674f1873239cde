import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FirstPromoterApiClient } from '@earnings/sources';
import { RunningApps, startApps } from './test-stack';

/**
 * The FirstPromoter API client and the partner simulator's stand-in, held to FirstPromoter's
 * published OpenAPI descriptions (../shared/reference/firstpromoter): every request the client
 * sends and every answer the stand-in gives passes through a recording proxy and is validated
 * against the operation it matches. What the descriptions leave out is listed below, by name; any
 * other request or answer they do not describe fails the test, so neither side can drift.
 */

const referenceDirectory = join(__dirname, '..', '..', '..', 'shared', 'reference', 'firstpromoter');
const basePath = '/api/v2/company';
const apiKey = 'contract-test-key';
const accountId = 'contract-test-account';

/**
 * Operations the client uses that these descriptions do not cover: GET /batch_processes/{id}
 * (the batch process the commissions description says to poll) and GET /promoters/{id} (the
 * Promoters API, described elsewhere by FirstPromoter). Their answers are still checked: a batch
 * process against BatchOperationResponse, a promoter for its id and cust_id.
 */
const undescribedOperations = new Map<string, string>([
  ['GET /batch_processes/{id}', 'BatchOperationResponse'],
  ['GET /promoters/{id}', 'Promoter'],
]);
/** Paging parameters the client sends that the commissions description does not list (FirstPromoter's paging is documented API-wide). */
const undescribedQueryParameters = new Set(['page', 'per_page']);

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>>; components: { schemas: Record<string, unknown>; parameters?: Record<string, OpenApiParameter> } };
type OpenApiParameter = { name: string; in: string; required?: boolean; schema?: unknown; $ref?: string };
type OpenApiOperation = { parameters?: OpenApiParameter[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

/** The published descriptions, with every operation's path template. */
function loadDescriptions(): { documents: { id: string; document: OpenApiDocument }[] } {
  const files = ['firstpromoter-v2-commissions.json', 'firstpromoter-v2-payouts.json'];
  return { documents: files.map((file) => ({ id: `https://reference.firstpromoter.test/${file}`, document: JSON.parse(readFileSync(join(referenceDirectory, file), 'utf8')) as OpenApiDocument })) };
}

/**
 * ajv with each description's component schemas registered under the document's id, converted
 * from OpenAPI 3.0 schema objects (nullable, OpenAPI formats) to JSON Schema, so `#/components/...`
 * references resolve within their own document.
 */
function validatorFactory(documents: { id: string; document: OpenApiDocument }[]) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const { id, document } of documents) {
    const schemas = Object.fromEntries(Object.entries(document.components.schemas).map(([name, schema]) => [name, jsonSchemaOf(schema, id)]));
    ajv.addSchema({ $id: id, components: { schemas } });
  }
  const cache = new Map<string, ValidateFunction>();
  return (schema: unknown, documentId: string): ValidateFunction => {
    const key = `${documentId} ${JSON.stringify(schema)}`;
    if (!cache.has(key)) cache.set(key, ajv.compile(jsonSchemaOf(schema, documentId)));
    return cache.get(key)!;
  };
}

/** Local references made absolute to their document, then the OpenAPI schema object converted. */
function jsonSchemaOf(schema: unknown, documentId: string): Record<string, unknown> {
  const absolute = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${documentId}#/components/`)) as Record<string, unknown>;
  const converted = fromSchema(absolute as never) as Record<string, unknown>;
  delete converted.$schema;
  return converted;
}

/** The operation a request is for: its method and the path template its path fits. */
function operationOf(documents: { id: string; document: OpenApiDocument }[], method: string, path: string) {
  for (const { id, document } of documents) {
    for (const [template, operations] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const operation = operations[method.toLowerCase()];
      if (operation !== undefined && pattern.test(path)) return { documentId: id, document, template, operation };
    }
  }
  return null;
}

const templateOf = (path: string): string => path.replace(/\/[0-9]+$/, '/{id}');

/** A proxy in front of the stand-in that records each exchange as it passed. */
async function recordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; server: Server }> {
  const exchanges: Exchange[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const forwarded = await fetch(`${target}${request.url}`, { method: request.method, headers: request.headers as Record<string, string>, body: body.length > 0 ? body : undefined });
      const text = await forwarded.text();
      const url = new URL(request.url ?? '/', 'http://proxy');
      exchanges.push({
        method: request.method ?? 'GET', path: url.pathname.slice(basePath.length), query: url.searchParams, headers: request.headers,
        requestBody: body.length > 0 ? JSON.parse(body) : undefined, status: forwarded.status, responseBody: text.length > 0 ? JSON.parse(text) : undefined,
      });
      response.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exchanges, server };
}

describe('the FirstPromoter client and stand-in speak the published API', () => {
  let simulator: RunningApps;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  const { documents } = loadDescriptions();
  const validatorFor = validatorFactory(documents);

  beforeAll(async () => {
    simulator = await startApps(['partner-simulator'], {
      LOG_LEVEL: 'warn', SIMULATOR_SEED: 'fp-contract', SIMULATOR_FIRSTPROMOTER_COMMISSIONS: '30', FIRSTPROMOTER_API_KEY: apiKey, FIRSTPROMOTER_ACCOUNT_ID: accountId,
    });
    proxy = await recordingProxy(simulator.url('partner-simulator', ''));
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => proxy?.server.close(resolve));
    await simulator?.stopAll();
  });

  const client = (key = apiKey) => new FirstPromoterApiClient({ baseUrl: `${proxy.url}${basePath}`, apiKey: key, accountId, batchPollIntervalMsInitial: 10 });
  const behave = (body: unknown) => fetch(simulator.url('partner-simulator', '/_admin/firstpromoter/api-behaviour'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Drives every call the ledger makes, in the shapes the stand-in answers: pages, filters, sync and async actions, refusals, promoters, errors. */
  async function exerciseEveryCall(): Promise<void> {
    const all = [];
    for await (const commission of client().listCommissions({ page: 1, perPage: 7 })) all.push(commission);
    for await (const commission of client().listCommissions({ page: 1, perPage: 100, status: 'approved' })) expect(commission.status).toBe('approved');
    // The approval flow lists pending commissions to find those due.
    for await (const commission of client().listCommissions({ page: 1, perPage: 100, status: 'pending' })) expect(commission.status).toBe('pending');
    const ids = all.map((commission) => Number(commission.id));
    await client().markFulfilled(ids.slice(0, 2));
    await client().markUnfulfilled(ids.slice(0, 2));
    await client().approve(ids.slice(2, 4));
    await client().deny(ids.slice(4, 5));
    const batch = await client().startAction('mark_fulfilled', ids.slice(5, 12));
    expect(batch.status).toBe('pending');
    await client().batchProcess(batch.id!);
    await client().batchProcess(batch.id!);
    // Approving more than 5 ids runs as a batch process that the approval flow follows to completion.
    const approving = await client().startAction('approve', ids.slice(14, 21));
    expect(approving.status).toBe('pending');
    let followed = approving;
    for (let poll = 0; poll < 5 && followed.status !== 'completed'; poll += 1) followed = await client().batchProcess(approving.id!);
    expect(followed.status).toBe('completed');
    expect((await client().approve(ids.slice(21, 28))).status).toBe('completed');
    await behave({ refusedIds: [ids[12]] });
    expect((await client().startAction('mark_fulfilled', [ids[12], ids[13]])).failedCount).toBe(1);
    await behave({ refusedIds: [] });
    await expect(client().markFulfilled([999_999_999])).rejects.toMatchObject({ code: 'invalid-request' });
    expect(await client().promoter(String((all[0].promoter_campaign as { promoter_id: number }).promoter_id))).toEqual(expect.objectContaining({ cust_id: expect.any(String) }));
    expect(await client().promoter('999999')).toBeNull();
    await expect(client('wrong-key').markFulfilled([ids[0]])).rejects.toMatchObject({ code: 'unauthorized' });
    expect(all.length).toBeGreaterThan(7);
  }

  it('every request and every answer fits the operation it is for', async () => {
    await exerciseEveryCall();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const exchange of proxy.exchanges) {
      const label = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
      const found = operationOf(documents, exchange.method, exchange.path);
      if (found === null) {
        const template = `${exchange.method} ${templateOf(exchange.path)}`;
        seen.add(template);
        if (!undescribedOperations.has(template)) problems.push(`${label}: no published operation`);
        else problems.push(...checkUndescribed(exchange, undescribedOperations.get(template)!, label));
        continue;
      }
      seen.add(`${exchange.method} ${found.template}`);
      problems.push(...checkRequest(exchange, found, label), ...checkResponse(exchange, found, label));
    }
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual([
      'GET /batch_processes/{id}', 'GET /commissions', 'GET /promoters/{id}', 'POST /commissions/approve', 'POST /commissions/deny',
      'POST /commissions/mark_fulfilled', 'POST /commissions/mark_unfulfilled',
    ]);
  }, 120_000);

  function checkRequest(exchange: Exchange, found: NonNullable<ReturnType<typeof operationOf>>, label: string): string[] {
    const problems: string[] = [];
    const parameters = (found.operation.parameters ?? []).map((parameter) => (parameter.$ref ? found.document.components.parameters![parameter.$ref.split('/').pop()!] : parameter));
    for (const header of parameters.filter((parameter) => parameter.in === 'header' && parameter.required)) {
      if (typeof exchange.headers[header.name.toLowerCase()] !== 'string') problems.push(`${label}: required header ${header.name} missing`);
    }
    if (!/^Bearer \S+$/.test(exchange.headers.authorization ?? '')) problems.push(`${label}: no bearer token (BearerAuth)`);
    for (const [name, value] of exchange.query) problems.push(...checkQueryParameter(name, value, parameters, found.documentId, label));
    const bodySchema = found.operation.requestBody?.content['application/json']?.schema;
    if (bodySchema !== undefined) problems.push(...errorsOf(validatorFor(bodySchema, found.documentId), exchange.requestBody, `${label} request body`));
    else if (exchange.requestBody !== undefined) problems.push(`${label}: a body the operation does not take`);
    return problems;
  }

  /** `filters[status]` is the deep-object parameter `filters`; names the description lists nowhere are problems unless known above. */
  function checkQueryParameter(name: string, value: string, parameters: OpenApiParameter[], documentId: string, label: string): string[] {
    if (undescribedQueryParameters.has(name)) return [];
    const deep = /^([a-z_]+)\[([a-z_]+)\]$/.exec(name);
    const parameter = parameters.find((candidate) => candidate.in === 'query' && candidate.name === (deep ? deep[1] : name));
    if (parameter === undefined) return [`${label}: query parameter ${name} is not described`];
    return errorsOf(validatorFor(parameter.schema, documentId), deep ? { [deep[2]]: value } : value, `${label} query ${name}`);
  }

  function checkResponse(exchange: Exchange, found: NonNullable<ReturnType<typeof operationOf>>, label: string): string[] {
    const response = found.operation.responses[String(exchange.status)] ?? found.operation.responses.default;
    if (response === undefined) return [`${label}: status ${exchange.status} is not a published answer`];
    const schema = response.content?.['application/json']?.schema;
    return schema === undefined ? [] : errorsOf(validatorFor(schema, found.documentId), exchange.responseBody, `${label} answer`);
  }

  function checkUndescribed(exchange: Exchange, shape: string, label: string): string[] {
    if (exchange.status === 404) return errorsOf(validatorFor({ $ref: '#/components/schemas/ErrorResponse' }, documents[0].id), exchange.responseBody, `${label} answer`);
    if (shape === 'BatchOperationResponse') return errorsOf(validatorFor({ $ref: '#/components/schemas/BatchOperationResponse' }, documents[0].id), exchange.responseBody, `${label} answer`);
    const promoter = exchange.responseBody as Record<string, unknown>;
    return Number.isInteger(promoter.id) && typeof promoter.cust_id === 'string' ? [] : [`${label}: a promoter answer without an integer id and a cust_id`];
  }

  function errorsOf(validate: ValidateFunction, value: unknown, label: string): string[] {
    return validate(value) ? [] : (validate.errors ?? []).map((error) => `${label}: ${error.instancePath || '(root)'} ${error.message ?? ''}`);
  }
});
