import { FaultScenario } from '../scenario';

const brokerDownMs = 5_000;

/** The broker's JVM SIGKILLed a third into the load, down 5 s, started again on the same data and port. */
export const brokerKill: FaultScenario = {
  name: 'broker-kill',
  title: 'broker SIGKILL + restart',
  instanceCount: 1,
  inject: async ({ stack, load, events, log, notes }) => {
    await load.reached(Math.floor(events / 3));
    log('SIGKILL to the broker');
    await stack.broker.kill();
    await new Promise((resolve) => setTimeout(resolve, brokerDownMs));
    const restartStartedAtMs = Date.now();
    await stack.broker.restart();
    notes.push(`broker down ${brokerDownMs / 1000} s, then ${((Date.now() - restartStartedAtMs) / 1000).toFixed(1)} s to answer again`);
    return { faultEndedAtMs: Date.now() };
  },
};
