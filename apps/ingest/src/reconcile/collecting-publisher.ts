import { CommissionObserved } from '@earnings/contracts';
import { InboundDelivery, InboundPublisher } from '../publishing/inbound-publisher';

/**
 * Stands in for the publisher while reconcile reads a source, so it pulls through the very code
 * the sync uses (paging, pacing, retries, the normaliser) and publishes nothing: it keeps what
 * would have been published. `--repair` then publishes the observations it needs, with the raw
 * deliveries they came from, through a real InboundPublisher.
 */
export class CollectingPublisher extends InboundPublisher {
  readonly deliveries: { delivery: InboundDelivery; observations: CommissionObserved[] }[] = [];

  constructor() {
    // Never used: publish is replaced below.
    super(null as never);
  }

  override async publish(delivery: InboundDelivery, observations: CommissionObserved[]): Promise<void> {
    this.deliveries.push({ delivery, observations });
  }

  observations(): CommissionObserved[] {
    return this.deliveries.flatMap((entry) => entry.observations);
  }
}
