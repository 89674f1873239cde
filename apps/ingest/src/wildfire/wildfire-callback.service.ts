import { normaliseWildfireCallback, WildfireNormaliseContext } from '@earnings/domain';
import { IngestException } from '../errors/ingest.exception';
import { ReceivedDelivery } from '../publishing/inbound-publisher';
import { WildfirePublisher } from './wildfire-publisher';

export type WildfireCallbackAnswer = {
  status: 200 | 202;
  body: { status: 'recorded' | 'ignored-not-a-commission'; callbackId: string | null };
};

/**
 * Everything ingest does with a Wildfire callback once its controller verified the signature:
 * normalise (only money fields refuse it, as a 4xx), publish the raw bytes and the commission, and
 * answer. A callback that is not a commission is kept raw for audit and answered 202.
 */
export class WildfireCallbackService {
  constructor(
    private readonly publisher: WildfirePublisher,
    private readonly normalise: Omit<WildfireNormaliseContext, 'observedAt'>,
  ) {}

  async receive(received: ReceivedDelivery): Promise<WildfireCallbackAnswer> {
    const result = normaliseWildfireCallback(received.body, { ...this.normalise, observedAt: received.receivedAt });
    switch (result.kind) {
      case 'invalid':
        throw new IngestException(result.code, result.message, result.field);
      case 'not-a-commission':
        await this.publisher.publish({ ...received, source: 'wildfire', deliveryId: result.callbackId }, []);
        return { status: 202, body: { status: 'ignored-not-a-commission', callbackId: result.callbackId } };
      case 'commission':
        await this.publisher.publish({ ...received, source: 'wildfire', deliveryId: result.callbackId }, [{ observation: result.observation, cleanings: result.cleanings }]);
        return { status: 200, body: { status: 'recorded', callbackId: result.callbackId } };
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled normaliser result ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
