import { CommissionObserved } from '@earnings/contracts';
import {
  decideLegacyFulfilment, FirstPromoterNormaliseContext, FirstPromoterVersionTimes, LegacyFulfilmentAnswer, normaliseFirstPromoterWebhook, normaliseLegacyFulfilmentPending,
  promoterIdentityOfBody, redactFirstPromoterBody,
} from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { IngestException } from '../../errors/ingest.exception';
import { InboundDelivery, InboundPublisher, ReceivedDelivery } from '../../publishing/inbound-publisher';
import { FirstPromoterDirectoryRepository } from '../repositories/firstpromoter-directory.repository';
import { WebhookDeliveryRepository } from '../repositories/webhook-delivery.repository';
import { FirstPromoterVersionService } from './firstpromoter-version.service';

export type WebhookAnswer = {
  status: 200 | 202;
  body: { status: 'recorded' | 'duplicate' | 'ignored-not-a-commission'; eventId: string; reason?: 'same-event' | 'same-version' | 'older-version' };
};

export interface FirstPromoterIngestOptions {
  normalise: Omit<FirstPromoterNormaliseContext, 'observedAt'>;
  /** Reward units the payout service delivers: a legacy fulfilment in another unit stays pending. */
  deliveredUnits: ReadonlySet<string>;
  /** Webhooks v2 or the API pull record commissions: the legacy webhook then books nothing. */
  v2IsTheRecord: boolean;
}

/**
 * Everything ingest does with a FirstPromoter delivery once its controller authenticated it:
 * normalise, date by the source's own times under the owner the commission keeps, copy the body
 * with its secrets removed to raw-inbound, publish, and answer. FirstPromoter retries (webhooks v2
 * 20, 40 and 60 minutes later; legacy 7 times a day) with the original times, so a retry is dated
 * where it happened and the ledger counts it as a duplicate.
 */
export class FirstPromoterIngestService {
  private readonly legacyAnswers;

  constructor(
    private readonly publisher: InboundPublisher,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly directory: FirstPromoterDirectoryRepository,
    private readonly versions: FirstPromoterVersionService,
    private readonly options: FirstPromoterIngestOptions,
    metrics: Metrics,
  ) {
    this.legacyAnswers = metrics.counter('firstpromoter_legacy_answers_total', 'Legacy fulfilment_pending webhooks by answer (recorded, or why it stays pending)', ['answer']);
  }

  /** A signed webhooks v2 delivery, deduplicated by `event_id`. */
  async receiveWebhook(received: ReceivedDelivery): Promise<WebhookAnswer> {
    const promoter = promoterIdentityOfBody(received.body);
    // A version without the promoter's cust_id is read with the user already known for the promoter.
    const promoterUserIds = promoter === null || promoter.userId !== null ? new Map<string, string>() : await this.directory.userIdsOf([promoter.promoterId]);
    const result = normaliseFirstPromoterWebhook(received.body, { ...this.options.normalise, observedAt: received.receivedAt, promoterUserIds });
    if (result.kind === 'invalid') throw new IngestException(result.code, result.message, result.field);
    if (await this.deliveries.wasRecorded('firstpromoter', result.eventId)) return { status: 200, body: { status: 'duplicate', eventId: result.eventId, reason: 'same-event' } };
    const delivery = this.rawCopy(received, result.eventId);
    switch (result.kind) {
      case 'not-a-commission':
        // Other entity types are acknowledged and kept raw only.
        await this.publisher.publish(delivery, []);
        await this.deliveries.record('firstpromoter', result.eventId);
        return { status: 202, body: { status: 'ignored-not-a-commission', eventId: result.eventId } };
      case 'commission': {
        await this.directory.learnPromoter(promoter, 'webhook');
        // Without an envelope time, the receipt breaks a tie with another version of the same source time.
        const settled = await this.versions.settle(result.observation, { ...result.times, tieTime: result.times.tieTime ?? received.receivedAt });
        // Published even when not the newest: a retry after a failed publish must still reach Kafka, and the ledger counts it once.
        await this.publisher.publish(delivery, [settled.observation]);
        await this.deliveries.record('firstpromoter', result.eventId);
        if (settled.place === 'newest') return { status: 200, body: { status: 'recorded', eventId: result.eventId } };
        return { status: 200, body: { status: 'duplicate', eventId: result.eventId, reason: settled.place === 'known' ? 'same-version' : 'older-version' } };
      }
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled webhook result ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * The legacy `fulfilment_pending` webhook: its answer is the protocol (200 = fulfilled). With v2
   * recording commissions it books nothing and stays pending (FirstPromoter completes it on
   * mark_fulfilled); otherwise 200 only once the reward is recorded for a known user in a unit this
   * deployment delivers, whose delivery is then retried until done.
   */
  async receiveLegacy(received: ReceivedDelivery): Promise<LegacyFulfilmentAnswer['body'] & { eventId: string; httpStatus: 200 | 202 }> {
    const result = normaliseLegacyFulfilmentPending(received.body, { ...this.options.normalise, observedAt: received.receivedAt });
    if (result.kind === 'invalid') throw new IngestException(result.code, result.message, result.field);
    const booked = result.kind === 'commission' && !this.options.v2IsTheRecord ? await this.settled(result.observation, result.times) : null;
    const decided = decideLegacyFulfilment(booked === null || result.kind !== 'commission' ? result : { ...result, observation: booked }, {
      deliveredUnits: this.options.deliveredUnits, v2IsTheRecord: this.options.v2IsTheRecord,
    });
    const observations = decided.books && booked !== null ? [booked] : [];
    await this.publisher.publish({ ...this.rawCopy(received, result.eventId), body: result.redactedBody }, observations);
    if (result.kind === 'commission') await this.directory.learnPromoter(promoterIdentityOfBody(received.body), 'legacy-webhook');
    const answer = decided.answer;
    if (answer.body.status === 'pending' && result.kind === 'commission') {
      await this.directory.recordLegacyPending({
        eventId: result.eventId, reason: answer.body.reason, fulfilmentId: result.observation.commissionId, unit: result.observation.unit, campaignId: result.campaignId,
      });
    }
    this.legacyAnswers.inc({ answer: answer.body.status === 'recorded' ? 'recorded' : answer.body.reason });
    return { ...answer.body, eventId: result.eventId, httpStatus: answer.status };
  }

  private async settled(observation: CommissionObserved, times: FirstPromoterVersionTimes): Promise<CommissionObserved> {
    return (await this.versions.settle(observation, times)).observation;
  }

  /** The raw-inbound copy: the body with FirstPromoter's secrets removed (auth_token, temp_password, API keys, emails). */
  private rawCopy(received: ReceivedDelivery, deliveryId: string): InboundDelivery {
    return { source: 'firstpromoter', endpoint: received.endpoint, deliveryId, receivedAt: received.receivedAt, headers: received.headers, body: redactFirstPromoterBody(received.body) };
  }
}
