import { logLevel } from 'kafkajs';
import { serviceLogLevel } from '../kafka-client';

describe('kafkajs log levels in the service log', () => {
  it('reports the coordinator still loading at start-up as a warning, since kafkajs retries it', () => {
    const line = { message: 'Response GroupCoordinator(key: 10, version: 2)', error: "The coordinator is loading and hence can't process requests for this group" };
    expect(serviceLogLevel(logLevel.ERROR, line)).toBe('warn');
  });

  it('keeps every other error an error', () => {
    expect(serviceLogLevel(logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'The request included a message larger than the max message size the server will accept' })).toBe('error');
    expect(serviceLogLevel(logLevel.ERROR, { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' })).toBe('error');
  });

  it('passes warnings and information through unchanged', () => {
    expect(serviceLogLevel(logLevel.WARN, { message: 'KafkaJS v2.0.0 switched default partitioner' })).toBe('warn');
    expect(serviceLogLevel(logLevel.INFO, { message: 'Consumer has joined the group' })).toBe('info');
  });
});
