import { CommissionObserved } from '@earnings/contracts';
import { FieldCleaning } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { InboundDelivery, InboundPublisher } from '../publishing/inbound-publisher';
import { TrackingCodeRepository } from './tracking-code.repository';

/** A normalised Wildfire record: the observation and what its metadata needed cleaning. */
export interface WildfireRecord {
  observation: CommissionObserved;
  cleanings: readonly FieldCleaning[];
}

/** Where merchant ids seen on commissions go, so the directory can describe the ones it does not know. */
export interface MerchantSightings {
  noteSeen(merchantIds: readonly (string | null)[]): Promise<void>;
}

/** What publishing also keeps beside Kafka; absent for a read-only pull (reconcile). */
export interface WildfireKeepers {
  trackingCodes: TrackingCodeRepository | null;
  merchants: MerchantSightings | null;
}

/**
 * The one way a Wildfire commission leaves ingest, for callbacks and the API sync alike: counts
 * each cleaned metadata field, publishes to Kafka (the raw bytes and the observations), then keeps
 * the tracking codes support needs and notes the merchants seen. What is kept after Kafka is best
 * effort: Kafka holds all of it, and the next API sync writes it again.
 */
export class WildfirePublisher {
  private readonly fieldsCleaned;
  private readonly keepFailures;

  constructor(
    private readonly inbound: InboundPublisher,
    private readonly keepers: WildfireKeepers,
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.fieldsCleaned = metrics.counter(
      'wildfire_fields_cleaned_total',
      'Wildfire metadata fields cleaned for display instead of refusing the record, by field and change (TrackingCode "unattributed": booked under ~unattributed with the code kept)',
      ['field', 'change'],
    );
    this.keepFailures = metrics.counter('wildfire_keep_failures_total', 'Tracking codes or merchant sightings not written to PostgreSQL after Kafka had the commission (the next sync writes them again)', ['what']);
  }

  async publish(delivery: InboundDelivery, records: readonly WildfireRecord[]): Promise<void> {
    const observations = records.map((record) => record.observation);
    await this.inbound.publish(delivery, observations);
    this.count(records);
    await this.keep('tracking-codes', () => this.keepers.trackingCodes?.keep(observations));
    await this.keep('merchant-sightings', () => this.keepers.merchants?.noteSeen(observations.map((observation) => observation.merchantId)));
  }

  private count(records: readonly WildfireRecord[]): void {
    for (const { observation, cleanings } of records) {
      for (const cleaning of cleanings) for (const change of cleaning.changes) this.fieldsCleaned.inc({ field: cleaning.field, change });
      if (observation.trackingCodeAsSent !== undefined) {
        this.logger.warn(
          { commissionId: observation.commissionId, modifiedDate: observation.modifiedDate, channel: observation.channel, trackingCodeAsSent: observation.trackingCodeAsSent },
          'wildfire commission booked under ~unattributed: its TrackingCode cannot be an AUI (the code as sent is kept for support)',
        );
      }
    }
  }

  private async keep(what: string, write: () => Promise<void> | undefined): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.keepFailures.inc({ what });
      this.logger.error({ err: error, what }, 'could not keep beside Kafka; Kafka has the commission and the next API sync writes it again');
    }
  }
}
