import { CommissionObserved } from '@earnings/contracts';
import { copyTextRow } from '@earnings/persistence';

/**
 * How an observation is staged for the set-based SQL, live and in a rebuild alike: one row per
 * observation as it arrived, copied in with COPY (no per-event SQL), with its place in the topic.
 * The ledger's rule (libs/persistence, LedgerRule migration) then decides in a few statements
 * which staged versions apply.
 */
export const stagingColumns = [
  ['source', 'text'], ['commission_id', 'text'], ['aui', 'text'], ['unit', 'text'], ['user_amount', 'numeric'],
  ['application_amount', 'numeric'], ['state', 'text'], ['source_status', 'text'], ['paid_by_network', 'boolean'],
  ['sale_amount', 'numeric'], ['sale_currency', 'text'], ['application_id', 'text'], ['merchant_id', 'text'],
  ['merchant_order_id', 'text'], ['event_date', 'timestamptz'], ['modified_date', 'timestamptz'], ['observation_id', 'text'],
  ['channel', 'text'], ['locking_date', 'timestamptz'], ['observed_at', 'timestamptz'], ['event_partition', 'integer'], ['event_offset', 'bigint'],
] as const;

export const stagingColumnNames = stagingColumns.map(([name]) => name);
export const stagingColumnDefinitions = stagingColumns.map(([name, type]) => `${name} ${type}`).join(', ');

/** What the commission table keeps of an observation: the staged columns but the observation's place and arrival time. */
export const commissionColumnNames = stagingColumnNames.filter((name) => !['event_partition', 'event_offset', 'observed_at'].includes(name));
/** What commission_version keeps: a lean row with a reference to its event of record. */
export const versionColumnNames = ['source', 'commission_id', 'modified_date', 'observation_id', 'aui', 'unit', 'user_amount', 'state', 'source_status', 'channel', 'paid_by_network', 'event_partition', 'event_offset'];

/** The staging row of an observation, in stagingColumns' order, as COPY's text format. */
export function stagingRow(observation: CommissionObserved, partition: number, offset: string): string {
  const o = observation;
  return copyTextRow([
    o.source, o.commissionId, o.aui, o.unit, o.userAmount, o.applicationAmount, o.state, o.sourceStatus, o.paidByNetwork,
    o.saleAmount, o.saleCurrency, o.applicationId, o.merchantId, o.merchantOrderId, o.eventDate, o.modifiedDate,
    o.observationId, o.channel, o.lockingDate, o.observedAt, partition, offset,
  ]);
}
