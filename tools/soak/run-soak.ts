import { withTestInfrastructure } from '../local-stack/test-infrastructure';

/**
 * Runs a soak like `npm test` runs the integration tests: against KAFKA_BROKERS / DATABASE_URL
 * when set, otherwise a broker and database of its own. Exits with the soak's code (1 on error).
 */
export function runSoak(name: string, soak: () => Promise<number>): void {
  withTestInfrastructure((message) => console.log(`[${name}] ${message}`), soak).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
