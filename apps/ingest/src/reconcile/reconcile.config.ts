import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { IngestConfig } from '../ingest.config';

/** The reconcile command and its scheduled Job: ingest's configuration (sources, credentials, Kafka) plus these. */
export class ReconcileConfig extends IngestConfig {
  /** Days back from now that a run compares when no --from is given. */
  @IsInt() @Min(1) @Max(3_650)
  RECONCILE_WINDOW_DAYS = 30;

  /** Which sources a run compares when no --source is given. */
  @IsIn(['wildfire', 'firstpromoter', 'all'])
  RECONCILE_SOURCES = 'wildfire';

  /** A Prometheus Pushgateway to push the run's figures to (a Job ends before any scrape). Empty: none. */
  @IsString() @Matches(/^$|^https?:\/\/[^\s]+$/, { message: 'must be empty or an http(s) URL' })
  RECONCILE_PUSHGATEWAY_URL = '';
}
