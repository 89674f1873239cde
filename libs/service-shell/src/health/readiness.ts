import { Injectable } from '@nestjs/common';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects with a reason otherwise. */
  check(): Promise<void>;
}

/** Collects the checks the app's modules register (Kafka, PostgreSQL, ...). */
@Injectable()
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private draining = false;

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** Called on SIGTERM: report not-ready at once so load balancers stop sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async evaluate(timeoutMs: number): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    if (this.draining) results.shutdown = 'draining';
    await Promise.all(
      this.checks.map(async (check) => {
        try {
          await withTimeout(check.check(), timeoutMs);
          results[check.name] = 'ok';
        } catch (error) {
          results[check.name] = (error as Error).message;
        }
      }),
    );
    return { ready: Object.values(results).every((result) => result === 'ok'), checks: results };
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
