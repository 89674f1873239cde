import { ConfigError } from '@earnings/service-shell';
import { loadSetupConfig } from '../setup';

describe('the setup step\'s configuration', () => {
  const database = { DATABASE_URL: 'postgres://earnings@db/earnings' };

  it('defaults to one copy (a single local broker) and takes production\'s three and two', () => {
    expect(loadSetupConfig(database)).toMatchObject({ KAFKA_TOPIC_PARTITIONS: 6, KAFKA_REPLICATION_FACTOR: 1, KAFKA_MIN_INSYNC_REPLICAS: 1 });
    expect(loadSetupConfig({ ...database, KAFKA_TOPIC_PARTITIONS: '12', KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }))
      .toMatchObject({ KAFKA_TOPIC_PARTITIONS: 12, KAFKA_REPLICATION_FACTOR: 3, KAFKA_MIN_INSYNC_REPLICAS: 2 });
  });

  it('refuses min.insync.replicas above the replication factor, which would refuse every acks=all write', () => {
    expect(() => loadSetupConfig({ ...database, KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      new ConfigError(['KAFKA_MIN_INSYNC_REPLICAS: 2 exceeds KAFKA_REPLICATION_FACTOR 1: every acks=all write would be refused']),
    );
    expect(() => loadSetupConfig({ ...database, KAFKA_TOPIC_PARTITIONS: 'many' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
  });
});
