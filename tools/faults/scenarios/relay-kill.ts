import { restartApp } from '../../e2e/test-stack';
import { AppName } from '../../local-stack/processes';
import { killBetweenAcknowledgementAndMark } from '../outbox-kill';
import { requestPayoutRun } from '../payout-runs';
import { FaultScenario, ScenarioContext } from '../scenario';

const catchTimeoutMs = 30_000;

/**
 * Both outbox relays killed between Kafka's acknowledgement and marking the rows sent, a third
 * into the load: the projector's (balance-changed) and the payout service's (payout-executed),
 * each caught on its own and restarted at once, as an orchestrator would. Their rows go out twice;
 * the payout view and the ledger must apply them once. At the same time, so that a short load
 * still has rows in both outboxes.
 */
export const relayKill: FaultScenario = {
  name: 'relay-kill',
  title: 'outbox relay killed after ack',
  instanceCount: 1,
  inject: async (context) => {
    await context.load.reached(Math.floor(context.events / 3));
    const schema = await context.stack.ledgerSchema();
    const restartedAtMs = await Promise.all([
      killRelayAndRestart(context, 'ledger-projector', `${schema}.outbox`),
      // Payouts write the payout outbox: runs make rows to catch.
      killRelayAndRestart(context, 'payout', 'payout_outbox', () => requestPayoutRun(context.stack, 0)),
    ]);
    return { faultEndedAtMs: Math.max(...restartedAtMs) };
  },
};

/** Returns the moment the replacement process was started. */
async function killRelayAndRestart(context: ScenarioContext, app: AppName, outboxTable: string, provoke?: () => Promise<unknown>): Promise<number> {
  const running = context.stack.instances[0];
  // Throws when no relay pass was caught: the row then says the fault was not injected, rather than pass.
  const rows = await killBetweenAcknowledgementAndMark(context.stack.databaseUrl, outboxTable, running.services.get(app)!, catchTimeoutMs, provoke);
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
