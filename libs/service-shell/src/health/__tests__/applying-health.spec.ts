import { ApplyingHealth, applyingReadinessCheck, lagByPartition, lagProblem, lagReadinessCheck } from '../applying-health';

describe('readiness means applying', () => {
  it('is not ready before the consumer joined its group, and ready once it did', () => {
    const health = new ApplyingHealth(30_000);
    expect(health.problems(0)).toEqual(['the consumer has not joined its group yet']);
    health.consumerRunning();
    expect(health.problems(0)).toEqual([]);
  });

  it('is not ready after the consumer crashed or stopped, with the reason, until it rejoins', () => {
    const health = new ApplyingHealth(30_000);
    health.consumerRunning();
    health.consumerStopped('the consumer crashed (broker gone); kafkajs is restarting it');
    expect(health.problems(0)).toEqual(['the consumer crashed (broker gone); kafkajs is restarting it']);
    health.consumerRunning();
    expect(health.problems(0)).toEqual([]);
  });

  it('tolerates a partition failing for up to the bound, counted from its first failure, and clears when a chunk applies', () => {
    const health = new ApplyingHealth(30_000);
    health.consumerRunning();
    health.partitionFailing('earnings.commission-observed.v1/3', 'connection terminated', 1_000);
    health.partitionFailing('earnings.commission-observed.v1/3', 'connection refused', 20_000);
    expect(health.problems(31_000)).toEqual([]);
    expect(health.problems(31_001)).toEqual(['earnings.commission-observed.v1/3 has failed to apply for 30 s: connection refused']);
    health.partitionApplied('earnings.commission-observed.v1/3');
    expect(health.problems(100_000)).toEqual([]);
  });

  it('rejects its readiness check with every problem, so /health/ready names them', async () => {
    const health = new ApplyingHealth(30_000);
    await expect(applyingReadinessCheck(health, () => 0).check()).rejects.toThrow('the consumer has not joined its group yet');
    health.consumerRunning();
    await expect(applyingReadinessCheck(health, () => 0).check()).resolves.toBeUndefined();
  });
});

describe('lag', () => {
  const ends = new Map([['t/0', 100n], ['t/1', 50n], ['t/2', 0n]]);

  it('counts what is not applied per partition; a partition never stored is behind by all it holds', () => {
    expect(lagByPartition(ends, new Map([['t/0', 90n]]))).toEqual(new Map([['t/0', 10n], ['t/1', 50n]]));
  });

  it('is a problem only beyond the bound, naming the partitions most behind', () => {
    const lag = lagByPartition(ends, new Map([['t/0', 90n]]));
    expect(lagProblem(lag, 60)).toBeNull();
    expect(lagProblem(lag, 59)).toBe('60 messages not yet applied (more than 59); most behind: t/1 50, t/0 10');
  });

  it('is not ready when the projection stored an offset past the end of its partition (the topic was recreated, or the database belongs to another cluster)', async () => {
    // Every new message there would sit below the stored offset and be skipped as applied already.
    const check = lagReadinessCheck(async () => ends, async () => new Map([['t/0', 100n], ['t/1', 20161n], ['t/2', 0n]]), 1_000);
    await expect(check.check()).rejects.toThrow(
      'the projection stored offsets past the end of the topic (t/1 at 20161, the topic ends at 50): was the topic recreated, or does this database belong to another Kafka cluster? Messages below those offsets would be skipped as applied',
    );
  });
});
