import { PartnerApiPacingRepository } from './partner-api-pacing.repository';

/** Time between recording a turn and the request leaving the process; keeps the partner's measured gap above its minimum. */
const sendMarginMs = 200;

/**
 * Spaces requests to a partner API at least `intervalMs` apart, across restarts and replicas:
 * the last request time lives in PostgreSQL (partner_api_pacing) and its row lock serialises callers.
 */
export class ApiPacer {
  constructor(private readonly pacing: PartnerApiPacingRepository, private readonly api: string, private readonly intervalMs: number) {}

  async waitForTurn(): Promise<void> {
    await this.pacing.takeTurn(this.api, this.intervalMs + sendMarginMs, async (waitMs) => {
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    });
  }
}
