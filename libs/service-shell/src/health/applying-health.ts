/**
 * What readiness means for a consumer: it is applying. Not merely "Kafka and PostgreSQL
 * answer": a consumer that crashed or stopped, or a partition whose chunk has been failing for
 * longer than a bound, makes the service not ready, with the reason in the /health/ready body.
 * Time is passed in, so the rule is a plain function of what was recorded.
 */
export class ApplyingHealth {
  private consumerProblem: string | null = 'the consumer has not joined its group yet';
  private readonly failingPartitions = new Map<string, { sinceMs: number; reason: string }>();

  constructor(private readonly partitionFailingMsMax: number) {}

  consumerRunning(): void {
    this.consumerProblem = null;
  }

  consumerStopped(reason: string): void {
    this.consumerProblem = reason;
    this.failingPartitions.clear();
  }

  /** Keeps the time of the first failure: a partition failing again and again is failing since then. */
  partitionFailing(partition: string, reason: string, nowMs: number): void {
    const since = this.failingPartitions.get(partition)?.sinceMs ?? nowMs;
    this.failingPartitions.set(partition, { sinceMs: since, reason });
  }

  partitionApplied(partition: string): void {
    this.failingPartitions.delete(partition);
  }

  /** Why the consumer is not applying, or an empty list when it is. */
  problems(nowMs: number): string[] {
    const problems = this.consumerProblem === null ? [] : [this.consumerProblem];
    for (const [partition, { sinceMs, reason }] of this.failingPartitions) {
      const failingMs = nowMs - sinceMs;
      if (failingMs > this.partitionFailingMsMax) problems.push(`${partition} has failed to apply for ${Math.round(failingMs / 1000)} s: ${reason}`);
    }
    return problems;
  }
}

/** The readiness check of an ApplyingHealth: rejects with every problem, so the body names them. */
export function applyingReadinessCheck(health: ApplyingHealth, now: () => number = Date.now): { name: string; check: () => Promise<void> } {
  return {
    name: 'applying',
    check: async () => {
      const problems = health.problems(now());
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
  };
}

/** Messages not yet applied per partition: the topic's end offset minus the next offset the projection stored. */
export function lagByPartition(endOffsets: ReadonlyMap<string, bigint>, storedNextOffsets: ReadonlyMap<string, bigint>): Map<string, bigint> {
  const lag = new Map<string, bigint>();
  for (const [partition, end] of endOffsets) {
    const behind = end - (storedNextOffsets.get(partition) ?? 0n);
    if (behind > 0n) lag.set(partition, behind);
  }
  return lag;
}

/** The lag rule: behind by more than `lagEventsMax` messages in all is not ready; the worst partitions are named. */
export function lagProblem(lag: ReadonlyMap<string, bigint>, lagEventsMax: number): string | null {
  const total = [...lag.values()].reduce((sum, behind) => sum + behind, 0n);
  if (total <= BigInt(lagEventsMax)) return null;
  const worst = [...lag].sort(([, left], [, right]) => (right > left ? 1 : right < left ? -1 : 0)).slice(0, 3);
  return `${total} messages not yet applied (more than ${lagEventsMax}); most behind: ${worst.map(([partition, behind]) => `${partition} ${behind}`).join(', ')}`;
}

/**
 * Stored offsets past the end of their partition: the topic was recreated (or the database belongs
 * to another cluster), and every new message there would be skipped as applied already.
 */
export function offsetsPastEndProblem(endOffsets: ReadonlyMap<string, bigint>, storedNextOffsets: ReadonlyMap<string, bigint>): string | null {
  const past = [...storedNextOffsets].filter(([partition, stored]) => stored > (endOffsets.get(partition) ?? stored));
  if (past.length === 0) return null;
  const named = past.slice(0, 3).map(([partition, stored]) => `${partition} at ${stored}, the topic ends at ${endOffsets.get(partition)}`).join('; ');
  return `the projection stored offsets past the end of the topic (${named}): was the topic recreated, or does this database belong to another Kafka cluster? Messages below those offsets would be skipped as applied`;
}

/**
 * Readiness of the projector's lag: the topics' end offsets (from Kafka) against the offsets of
 * record (in PostgreSQL). One admin client, connected on first use and kept.
 */
export function lagReadinessCheck(endOffsets: () => Promise<Map<string, bigint>>, storedNextOffsets: () => Promise<Map<string, bigint>>, lagEventsMax: number): { name: string; check: () => Promise<void> } {
  return {
    name: 'lag',
    check: async () => {
      // Stored first: end offsets only grow, so a healthy projection is never seen past them.
      const stored = await storedNextOffsets();
      const ends = await endOffsets();
      const problem = offsetsPastEndProblem(ends, stored) ?? lagProblem(lagByPartition(ends, stored), lagEventsMax);
      if (problem !== null) throw new Error(problem);
    },
  };
}
