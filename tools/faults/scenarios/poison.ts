import { Topics } from '@earnings/contracts';
import { produceEvents, signedWildfireCallback, topicEndOffset } from '../../e2e/test-stack';
import { commission } from '../../e2e/payout-scenario';
import { FaultScenario, ScenarioContext } from '../scenario';

/**
 * Half-way through the load, two messages PostgreSQL can never store (a NUL character in the
 * AUI, issue 17 finding 1): one as a validly signed callback through ingest, one produced straight
 * to commission-observed, as a pull or an older producer could. Both must end on the dead-letter
 * topic or be refused, and every good callback after them must still reach the ledger.
 */
export const poison: FaultScenario = {
  name: 'poison',
  title: 'poison message mid-load',
  instanceCount: 1,
  inject: async (context) => {
    await context.load.reached(Math.floor(context.events / 2));
    await sendPoisonCallback(context);
    const valid = commission({ aui: `${context.stack.auiPrefix}-poison-direct`, commissionId: 'poison-direct', amount: '1.00000' });
    const poisoned = { ...valid, aui: `${context.stack.auiPrefix}-poison\u0000direct`, observationId: `${valid.observationId}\u0000` };
    await produceEvents(Topics.commissionObserved, [{ key: poisoned.aui, value: poisoned }]);
    context.notes.push('poison event with a NUL in the AUI produced straight to commission-observed');
    return { faultEndedAtMs: Date.now() };
  },
  afterSettle: async (context) => {
    context.notes.push(`dead-letter topic holds ${await topicEndOffset(Topics.commissionObservedDeadLetter)} message(s)`);
  },
};

async function sendPoisonCallback(context: ScenarioContext): Promise<void> {
  const callback = signedWildfireCallback({
    id: 900_000_001, aui: `${context.stack.auiPrefix}-poison\u0000callback`, status: 'paid', amount: '1.00000', eventDate: '2026-11-01T00:00:00Z', modifiedDate: '2026-11-01T00:00:00Z',
  });
  const response = await fetch(context.stack.ingestUrls()[0], { method: 'POST', headers: callback.headers, body: callback.body, signal: AbortSignal.timeout(15_000) });
  context.notes.push(`poison callback (NUL in trackingcode): ingest answered ${response.status}`);
}
