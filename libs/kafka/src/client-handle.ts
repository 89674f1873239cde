import type { Kafka } from 'kafkajs';

/**
 * A Kafka connection as services and tools hold it: they pass it to this library's functions
 * and never reach the client underneath, so no kafkajs type ever leaves libs/kafka.
 */
export abstract class KafkaClient {
  protected constructor(readonly clientId: string) {}
}

class KafkajsClient extends KafkaClient {
  constructor(readonly kafka: Kafka, clientId: string) {
    super(clientId);
  }
}

/** Inside libs/kafka only (index.ts exports KafkaClient alone). */
export function wrapKafkajs(kafka: Kafka, clientId: string): KafkaClient {
  return new KafkajsClient(kafka, clientId);
}

/** Inside libs/kafka only: the kafkajs client a KafkaClient holds. */
export function kafkajsOf(client: KafkaClient): Kafka {
  if (!(client instanceof KafkajsClient)) throw new TypeError('not a client made by createKafka');
  return client.kafka;
}
