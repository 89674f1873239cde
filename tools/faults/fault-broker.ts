import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { freePort, RunningBroker, startKafkaBroker } from '../local-stack/kafka-broker';

/** A local Kafka broker the suite can crash: SIGKILL, then a start on the same data folder and port. */
export interface FaultBroker {
  brokers: string;
  /** SIGKILL to the broker's JVM: no shutdown, no flush, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** Starts it again on the same data folder and port; resolves once it answers metadata requests. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const jvmExitWaitMs = 15_000;

export async function startFaultBroker(scratch: string, log: (message: string) => void): Promise<FaultBroker> {
  const port = await freePort();
  const dataDirectory = join(scratch, 'kafka');
  const start = (fresh: boolean) => startKafkaBroker({ workspaceRoot: workspaceRoot(), port, dataDirectory, fresh, log });
  let running: RunningBroker | null = await start(true);
  return {
    brokers: running.brokers,
    kill: async () => {
      if (!running) throw new Error('the broker is not running');
      const { pid } = running;
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid);
      running = null;
    },
    restart: async () => {
      if (running) throw new Error('the broker is still running');
      running = await start(false);
    },
    stop: async () => {
      await running?.stop();
      running = null;
    },
  };
}

async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + jvmExitWaitMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`broker JVM ${pid} still alive ${jvmExitWaitMs} ms after SIGKILL`);
}
