import { restartApp } from '../../e2e/test-stack';
import { AppName } from '../../local-stack/processes';
import { killBetweenAcknowledgementAndMark } from '../outbox-kill';
import { requestPayoutRun } from '../payout-runs';
import { FaultScenario, ScenarioContext } from '../scenario';

const catchTimeoutMs = 30_000;

/**
 * Each outbox relay killed between Kafka's acknowledgement and marking the rows sent: the
 * projector's (balance-changed) a third into the load, the payout service's (payout-executed)
 * two thirds in, each restarted at once as an orchestrator would. Their rows go out twice; the
 * payout view and the ledger must apply them once.
 */
export const relayKill: FaultScenario = {
  name: 'relay-kill',
  title: 'outbox relay killed after ack',
  instanceCount: 1,
  inject: async (context) => {
    await context.load.reached(Math.floor(context.events / 3));
    const schema = await context.stack.ledgerSchema();
    await killRelayAndRestart(context, 'ledger-projector', `${schema}.outbox`);
    await context.load.reached(Math.floor((context.events * 2) / 3));
    // Payouts write the payout outbox: ask for a run so there are rows to catch.
    void requestPayoutRun(context.stack, 0);
    const faultEndedAtMs = await killRelayAndRestart(context, 'payout', 'payout_outbox');
    return { faultEndedAtMs };
  },
};

/** Returns the moment the replacement process was started. */
async function killRelayAndRestart(context: ScenarioContext, app: AppName, outboxTable: string): Promise<number> {
  const running = context.stack.instances[0];
  // Throws when no relay pass was caught: the row then says the fault was not injected, rather than pass.
  const rows = await killBetweenAcknowledgementAndMark(context.stack.databaseUrl, outboxTable, running.services.get(app)!, catchTimeoutMs);
  context.notes.push(`${app} SIGKILLed with ${rows} row(s) of ${outboxTable} acknowledged by Kafka, not marked sent`);
  const restartedAtMs = Date.now();
  try {
    await restartApp(running, app, context.stack.env);
    context.notes.push(`${app} ready ${((Date.now() - restartedAtMs) / 1000).toFixed(1)} s after its restart`);
  } catch (error) {
    context.notes.push(`${app} did not come back: ${(error as Error).message}`);
  }
  return restartedAtMs;
}
