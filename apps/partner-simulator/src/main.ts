import { buildSimulator } from './server';
import { simulatorEnvironment } from './simulator-options';

/** Local runs, tests and benchmarks only: the far side of the wire, never deployed. */
async function main(): Promise<void> {
  const environment = simulatorEnvironment(process.env);
  const { app, state } = buildSimulator(environment.options, { level: environment.logLevel });
  await app.listen({ port: environment.port, host: environment.host });
  app.log.info({ ...state.summary(), port: environment.port }, 'partner simulator ready');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'partner simulator stopping');
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        app.log.error({ err: error }, 'partner simulator did not close cleanly');
        process.exit(1);
      },
    );
  };
  // process.on, not once: a second signal must find the handler (which ignores it), not kill the process mid-close.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  console.error(`partner simulator failed to start: ${error.message}`);
  process.exit(1);
});
