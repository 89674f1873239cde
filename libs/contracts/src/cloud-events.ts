/**
 * CloudEvents binary-mode Kafka headers, so downstream consumers can route without parsing values.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export interface CloudEventHeaders {
  ce_specversion: '1.0';
  ce_id: string;
  ce_type: string;
  ce_source: string;
  ce_time: string;
  'content-type': 'application/json';
  [header: string]: string;
}

export function cloudEventHeaders(input: { id: string; type: string; source: string; time: string }): CloudEventHeaders {
  return {
    ce_specversion: '1.0',
    ce_id: input.id,
    ce_type: `dev.earnings-ledger.${input.type}.v1`,
    ce_source: input.source,
    ce_time: input.time,
    'content-type': 'application/json',
  };
}
