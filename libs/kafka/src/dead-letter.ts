import { KafkaClient } from './client-handle';
import { MessageSender } from './message-sender';
import { MessageHeaders } from './messages';

/** A message no consumer can ever apply, with where it came from so an operator can find, fix and replay it. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: MessageHeaders;
  /** Why: the schema's reason, or the PostgreSQL error code and message. Never the message's values. */
  reason: string;
}

/** Header values are bounded so a long schema reason cannot push the dead letter over the broker's size limit. */
const reasonLengthMax = 2_000;

/**
 * The one way a service sends to a dead-letter topic: the original key, value and headers
 * untouched (replaying is producing them back), plus `dlq_reason`, `dlq_topic`,
 * `dlq_partition` and `dlq_offset`. Sent with acks=all before the consumer moves past the
 * message, so a crash in between sends it twice rather than losing it.
 */
export class DeadLetterSender {
  private readonly sender: MessageSender;

  constructor(
    kafka: KafkaClient,
    private readonly deadLetterTopic: string,
  ) {
    this.sender = new MessageSender(kafka);
  }

  connect(): Promise<void> {
    return this.sender.connect();
  }

  disconnect(): Promise<void> {
    return this.sender.disconnect();
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.sender.send([{ topic: this.deadLetterTopic, messages: letters.map(deadLetterMessage) }]);
  }
}

export function deadLetterMessage(letter: DeadLetter): { key: Buffer | string | null; value: Buffer | string | null; headers: MessageHeaders } {
  return {
    key: letter.key,
    value: letter.value,
    headers: {
      ...letter.headers,
      dlq_reason: letter.reason.slice(0, reasonLengthMax),
      dlq_topic: letter.topic,
      dlq_partition: String(letter.partition),
      dlq_offset: letter.offset,
    },
  };
}
