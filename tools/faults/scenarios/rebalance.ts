import { restartApp } from '../../e2e/test-stack';
import { AppName } from '../../local-stack/processes';
import { FaultScenario, ScenarioContext } from '../scenario';

const rebalanceIntervalMs = 10_000;
/** In turn: each restart makes its group rebalance twice (the member leaves, then joins). */
const rotation: { app: AppName; instance: number }[] = [
  { app: 'ledger-projector', instance: 0 },
  { app: 'payout', instance: 0 },
  { app: 'ledger-projector', instance: 1 },
  { app: 'payout', instance: 1 },
];

/**
 * Two instances each of ingest, projector and payout (ingest's taken in turn by the load); every
 * 10 s one projector or payout instance is stopped (SIGTERM) and started again, as a rolling
 * deploy does, for as long as the load runs.
 */
export const rebalance: FaultScenario = {
  name: 'rebalance',
  title: '2 of each, rebalance every 10 s',
  instanceCount: 2,
  inject: async (context) => {
    let faultEndedAtMs = Date.now();
    let rebalances = 0;
    const exitCodes: string[] = [];
    while (!context.load.done) {
      await Promise.race([context.load.finished, new Promise((resolve) => setTimeout(resolve, rebalanceIntervalMs))]);
      if (context.load.done) break;
      faultEndedAtMs = await restartOne(context, rotation[rebalances % rotation.length], exitCodes);
      rebalances += 1;
    }
    context.notes.push(`${rebalances} restarts (each a leave and a join)${exitCodes.length ? `; exit codes on SIGTERM: ${exitCodes.join(', ')}` : ''}`);
    return { faultEndedAtMs };
  },
};

/** Stops and starts one instance; returns when the new process was started (the fault's end). */
async function restartOne(context: ScenarioContext, target: { app: AppName; instance: number }, exitCodes: string[]): Promise<number> {
  const running = context.stack.instances[target.instance];
  const code = await running.services.get(target.app)!.stop();
  if (code !== 0) exitCodes.push(`${target.app}#${target.instance}=${code}`);
  const startedAtMs = Date.now();
  context.log(`restarting ${target.app}#${target.instance}`);
  try {
    await restartApp(running, target.app, context.stack.env);
  } catch (error) {
    context.notes.push(`${target.app}#${target.instance} did not come back: ${(error as Error).message}`);
  }
  return startedAtMs;
}
