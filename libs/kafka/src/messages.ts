/** Header values as Kafka carries them. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** One message to produce. */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: MessageHeaders;
  partition?: number;
  timestamp?: string;
}

/** Messages for one topic, in the order they are to be written. */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}
