import type { FastifyInstance, FastifyReply } from 'fastify';
import { SimulatorState, VersionedRecord } from './simulator-state';
import { sendCallbacks, CallbackSendResult } from './wildfire/callback-sender';
import { SimulatedCommission } from './wildfire/commission-history';
import { balanceInputsAt, expectedBalances } from './wildfire/expected-balances';
import { parseFaultCounts } from './wildfire/fault-plan';
import { apiVersions, ApiVersion, applicationAmountText, deviceAmountText, isApiVersion } from './wildfire/record-shapes';
import { formatMicros, formatScaled, formatTimestamp, parseMicros, saleScale } from './wildfire/wire-format';

/** A debugging listing is for people: more than this is a sign of a missing filter. */
export const commissionsListedMax = 1_000;

type JsonObject = Record<string, unknown>;

/** The `/_admin` routes tests and benchmarks use to steer the simulator and read its truth. */
export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/_admin/state', async () => state.summary());
  app.get('/_admin/clock', async () => ({ now: state.clockIso() }));
  app.post('/_admin/clock', async (request, reply) => advanceClock(state, request.body, reply));
  app.get('/_admin/faults', async () => state.faults.snapshot());
  app.post('/_admin/faults', async (request, reply) => {
    const counts = parseFaultCounts(request.body);
    return typeof counts === 'string' ? badRequest(reply, counts) : { pending: state.faults.add(counts) };
  });
  app.delete('/_admin/faults', async () => ({ pending: state.faults.clear() }));
  app.get('/_admin/requests', async () => state.requestLog.entries());
  app.delete('/_admin/requests', async () => {
    state.requestLog.clear();
    return { cleared: true };
  });
  app.post('/_admin/callbacks/send', async (request, reply) => sendCallbacksNow(state, request.body, reply));
  app.get('/_admin/expected-balances', async (request, reply) => expectedBalancesNow(state, request.query as JsonObject, reply));
  app.get('/_admin/commissions', async (request, reply) => listCommissions(state, request.query as JsonObject, reply));
  app.get('/_admin/commissions/held', async () => ({ commissionIds: state.heldBackIds() }));
  app.put('/_admin/commissions/held', async (request, reply) => holdBack(state, request.body, reply));
  app.put('/_admin/commissions/quirks', async (request, reply) => setQuirks(state, request.body, reply));
  app.get('/_admin/merchants', async () => state.history.merchants.map(({ merchantId, name, disabled }) => ({ merchantId, name, disabled })));
}

/**
 * Body: {quirks: [{commissionId, fields: {MerchantSKU: "15406898 ", ...}}]}, replacing every quirk;
 * [] removes them. The Commission API then sends those fields instead of the commission's own.
 */
function setQuirks(state: SimulatorState, rawBody: unknown, reply: FastifyReply): unknown {
  const quirks = objectBody(rawBody)?.quirks;
  const valid = Array.isArray(quirks) && quirks.length <= commissionsListedMax && quirks.every((quirk) => {
    const entry = quirk as { commissionId?: unknown; fields?: unknown };
    return Number.isSafeInteger(entry?.commissionId) && typeof entry.fields === 'object' && entry.fields !== null && !Array.isArray(entry.fields);
  });
  if (!valid) return badRequest(reply, `the body must be {"quirks": [{"commissionId": <integer>, "fields": {...}}, ...]} with at most ${commissionsListedMax} entries`);
  const entries = (quirks as { commissionId: number; fields: Record<string, unknown> }[]).map((quirk) => [quirk.commissionId, quirk.fields] as const);
  state.setQuirks(new Map(entries));
  return { quirks: entries.length };
}

/** Body: {commissionIds: number[]}, replacing the held set; [] releases every record. */
function holdBack(state: SimulatorState, rawBody: unknown, reply: FastifyReply): unknown {
  const ids = objectBody(rawBody)?.commissionIds;
  if (!Array.isArray(ids) || ids.length > commissionsListedMax || !ids.every((id) => Number.isSafeInteger(id))) {
    return badRequest(reply, `the body must be {"commissionIds": [<integer>, ...]} with at most ${commissionsListedMax} ids`);
  }
  state.holdBack(ids as number[]);
  return { commissionIds: state.heldBackIds() };
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: 'bad-request', message });
}

function objectBody(body: unknown): JsonObject | null {
  if (body === undefined || body === null) return {};
  return typeof body === 'object' && !Array.isArray(body) ? (body as JsonObject) : null;
}

/** Reveals the versions whose time has come; with SIMULATOR_CALLBACK_URL set, also pushes them as callbacks. */
async function advanceClock(state: SimulatorState, rawBody: unknown, reply: FastifyReply): Promise<unknown> {
  const body = objectBody(rawBody);
  const hours = body?.advanceHours;
  if (typeof hours !== 'number') return badRequest(reply, 'the body must be {"advanceHours": <number>}');
  let moved: { previousMicros: number; nowMicros: number };
  try {
    moved = state.advanceHours(hours);
  } catch (error) {
    return badRequest(reply, (error as Error).message);
  }
  const revealed = state.versionsBetween(moved.previousMicros, moved.nowMicros);
  const answer: JsonObject = { previous: formatMicros(moved.previousMicros), now: state.clockIso(), newlyVisibleVersions: revealed.length };
  if (state.options.callbackUrl !== null) {
    answer.callbacks = await deliver(state, { url: state.options.callbackUrl, dropFraction: state.options.dropFraction, versions: ['v4'] }, revealed);
  }
  return answer;
}

interface SendRequest {
  url: string;
  dropFraction: number;
  versions: ApiVersion[];
  afterMicros: number;
  throughMicros: number;
}

/**
 * Body: {url?, dropFraction?, versions?, upToNow?, since?}. `upToNow` (default true) sends the
 * versions visible by the simulator clock; false sends the whole history. `since` (ISO) keeps only
 * versions modified after it; the answer's `through` is the value to pass next time.
 */
function parseSendRequest(state: SimulatorState, rawBody: unknown): SendRequest | string {
  const body = objectBody(rawBody);
  if (body === null) return 'the body must be a JSON object';
  const url = body.url ?? state.options.callbackUrl;
  if (typeof url !== 'string' || !isHttpUrl(url)) return 'url must be an http(s) URL (or set SIMULATOR_CALLBACK_URL)';
  const dropFraction = body.dropFraction ?? state.options.dropFraction;
  if (typeof dropFraction !== 'number' || !(dropFraction >= 0 && dropFraction <= 1)) return 'dropFraction must be a number from 0 to 1';
  const versions = body.versions ?? ['v4'];
  if (!Array.isArray(versions) || versions.length === 0 || !versions.every(isApiVersion) || new Set(versions).size !== versions.length) {
    return `versions must be a non-empty list of distinct ${apiVersions.join(', ')}`;
  }
  const upToNow = body.upToNow ?? true;
  if (typeof upToNow !== 'boolean') return 'upToNow must be true or false';
  const afterMicros = body.since === undefined ? Number.NEGATIVE_INFINITY : typeof body.since === 'string' ? parseMicros(body.since) : null;
  if (afterMicros === null) return 'since must be an ISO-8601 date-time with an offset';
  return { url, dropFraction, versions, afterMicros, throughMicros: upToNow ? state.clockMicros : Number.POSITIVE_INFINITY };
}

function isHttpUrl(text: string): boolean {
  try {
    const protocol = new URL(text).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

async function sendCallbacksNow(state: SimulatorState, rawBody: unknown, reply: FastifyReply): Promise<unknown> {
  const request = parseSendRequest(state, rawBody);
  if (typeof request === 'string') return badRequest(reply, request);
  const items = state.versionsBetween(request.afterMicros, request.throughMicros);
  const result = await deliver(state, request, items);
  const through = Number.isFinite(request.throughMicros) ? formatMicros(request.throughMicros) : null;
  return { ...result, versions: items.length, through };
}

function deliver(state: SimulatorState, request: Pick<SendRequest, 'url' | 'dropFraction' | 'versions'>, items: VersionedRecord[]): Promise<CallbackSendResult> {
  return sendCallbacks(
    { url: request.url, dropFraction: request.dropFraction, versions: request.versions, items },
    { seed: state.options.seed, callbackKey: state.options.callbackKey, sendNumber: state.nextCallbackSendNumber(), callbackTimeoutMs: state.options.callbackTimeoutMs },
  );
}

/**
 * `?version=v4` (default) reads device splits as v4 carries them; v2 and v3 carry only the
 * application amount. `?upToNow=false` uses the latest version of the whole history.
 */
function expectedBalancesNow(state: SimulatorState, query: JsonObject, reply: FastifyReply): unknown {
  const version = query.version ?? 'v4';
  if (!isApiVersion(version)) return badRequest(reply, `version must be one of ${apiVersions.join(', ')}`);
  if (query.upToNow !== undefined && query.upToNow !== 'true' && query.upToNow !== 'false') return badRequest(reply, 'upToNow must be true or false');
  const horizonMicros = query.upToNow === 'false' ? Number.POSITIVE_INFINITY : state.clockMicros;
  return expectedBalances(balanceInputsAt(state.history.commissions, horizonMicros, version));
}

function listCommissions(state: SimulatorState, query: JsonObject, reply: FastifyReply): unknown {
  const limitText = query.limit ?? '100';
  if (typeof limitText !== 'string' || !/^\d{1,6}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > commissionsListedMax) {
    return badRequest(reply, `limit must be from 1 to ${commissionsListedMax}`);
  }
  const aui = typeof query.aui === 'string' ? query.aui : null;
  const matching = state.history.commissions.filter((commission) => aui === null || commission.aui === aui);
  return matching.slice(0, Number(limitText)).map((commission) => describeCommission(commission, state.clockMicros));
}

/** Everything about one commission, including versions not visible yet, for a person debugging a mismatch. */
function describeCommission(commission: SimulatedCommission, nowMicros: number): JsonObject {
  return {
    commissionId: commission.commissionId,
    aui: commission.aui,
    applicationId: commission.applicationId,
    currency: commission.currency,
    pattern: commission.pattern,
    role: commission.role,
    merchantId: commission.merchantId,
    eventDate: formatTimestamp(commission.eventDate),
    versions: commission.versions.map((version) => ({
      index: version.index,
      status: version.status,
      modifiedDate: formatTimestamp(version.modified),
      visible: version.modified.micros <= nowMicros,
      saleAmount: formatScaled(version.saleCents, saleScale),
      applicationAmount: applicationAmountText(commission, version),
      deviceAmount: version.deviceUnits === null ? null : deviceAmountText(commission, version.deviceUnits),
    })),
  };
}
