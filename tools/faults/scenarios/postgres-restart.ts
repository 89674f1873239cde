import { FaultScenario } from '../scenario';

const postgresDownMs = 5_000;

/** The private PostgreSQL stopped as in a crash (`-m immediate`) a third into the load, down 5 s, started again. */
export const postgresRestart: FaultScenario = {
  name: 'postgres-restart',
  title: 'PostgreSQL restart',
  instanceCount: 1,
  inject: async ({ postgres, load, events, log, notes }) => {
    await load.reached(Math.floor(events / 3));
    log('stopping PostgreSQL (-m immediate)');
    const stoppedAtMs = Date.now();
    await postgres.restart(postgresDownMs);
    notes.push(`PostgreSQL stopped with -m immediate, back after ${((Date.now() - stoppedAtMs) / 1000).toFixed(1)} s`);
    return { faultEndedAtMs: Date.now() };
  },
};
