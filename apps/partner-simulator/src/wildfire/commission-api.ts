import { verifyWfav1 } from '@earnings/sources';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { SimulatorState } from '../simulator-state';
import { parsePageQuery, selectPage } from './commission-page';
import { Fault } from './fault-plan';
import { apiVersions, ApiVersion, renderCommission } from './record-shapes';

/**
 * Wildfire's Commission API, `GET /v{2,3,4}/commission`, in the order a real call meets its
 * checks: WFAV1 (401), the one-call-per-interval limit (429), injected faults, the query (400),
 * then one page of the latest visible version of each commission.
 */
export function registerCommissionApi(app: FastifyInstance, state: SimulatorState): void {
  for (const apiVersion of apiVersions) {
    app.get(`/${apiVersion}/commission`, (request, reply) => answerCommissionCall(state, apiVersion, request, reply));
  }
}

/** Logs a partner-facing call in /_admin/requests. */
export type CallLog = (status: number | null, outcome: string) => void;

/**
 * The checks every Wildfire API call meets first, whichever endpoint: WFAV1 (401) and the one
 * call per interval limit, counted across endpoints (429). Answers the reply when a check fails.
 */
export function admitWildfireCall(state: SimulatorState, request: FastifyRequest, reply: FastifyReply): { log: CallLog; refused: FastifyReply | null } {
  const arrivedAt = new Date();
  const log: CallLog = (status, outcome) => state.requestLog.record({ time: arrivedAt.toISOString(), method: request.method, path: request.url, status, outcome });
  const auth = verifyWfav1(request.headers, state.options.credentials, arrivedAt, state.options.authSkewMsMax);
  if (!auth.ok) {
    log(401, 'unauthorized');
    return { log, refused: reply.code(401).send({ error: 'unauthorized', message: auth.reason }) };
  }
  const gate = state.apiGate.tryPass(arrivedAt.getTime());
  if (!gate.accepted) {
    log(429, 'rate-limited');
    const message = `at most one call per ${state.options.apiIntervalMsMin} ms; retry in ${gate.retryAfterMs} ms`;
    return { log, refused: reply.code(429).header('retry-after', String(Math.ceil(gate.retryAfterMs / 1000))).send({ error: 'rate-limited', message, retryAfterMs: gate.retryAfterMs }) };
  }
  return { log, refused: null };
}

async function answerCommissionCall(state: SimulatorState, apiVersion: ApiVersion, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { log, refused } = admitWildfireCall(state, request, reply);
  if (refused !== null) return refused;
  const fault = state.faults.takeNext();
  if (fault !== null) {
    log(fault === 'timeout' ? null : fault === 'server-error' ? 503 : 200, `fault-${fault}`);
    return serveFault(state, fault, reply);
  }
  const query = parsePageQuery(request.query as Record<string, unknown>);
  if (typeof query === 'string') {
    log(400, 'bad-request');
    return reply.code(400).send({ error: 'bad-request', message: query });
  }
  const page = selectPage(state.latestVisible(), query);
  log(200, 'ok');
  return reply.code(200).send({
    Commissions: page.records.map((record) => state.withQuirks(record.commission.commissionId, renderCommission(record.commission, record.version, apiVersion))),
    NextCursor: page.nextCursor,
    PrevCursor: page.prevCursor,
  });
}

async function serveFault(state: SimulatorState, fault: Fault, reply: FastifyReply): Promise<unknown> {
  switch (fault) {
    case 'timeout':
      // Never answer: the client must give up on its own timeout. The connection is dropped
      // after faultHangMs, or at once when the client leaves or the simulator shuts down.
      reply.hijack();
      await holdUntilReleased(reply.raw, state.options.faultHangMs, state.closing.signal);
      if (!reply.raw.destroyed) reply.raw.destroy();
      return undefined;
    case 'server-error':
      return reply.code(503).send({ error: 'service-unavailable', message: 'injected fault: the Commission API is under maintenance' });
    case 'malformed': {
      const malformed = state.faults.nextMalformedBody();
      return reply.code(200).header('content-type', malformed.contentType).send(malformed.body);
    }
    default: {
      const unreachable: never = fault;
      throw new Error(`unhandled fault ${String(unreachable)}`);
    }
  }
}

function holdUntilReleased(response: ServerResponse, holdMs: number, released: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      response.off('close', finish);
      released.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, holdMs);
    // A held call must not keep the process alive on its own.
    timer.unref();
    response.once('close', finish);
    if (released.aborted) finish();
    else released.addEventListener('abort', finish, { once: true });
  });
}
