import { CallbackLoad } from './callback-load';
import { FaultStack } from './fault-stack';
import { PrivatePostgres } from './private-postgres';

export interface ScenarioContext {
  stack: FaultStack;
  load: CallbackLoad;
  events: number;
  postgres: PrivatePostgres;
  log: (message: string) => void;
  /** What happened worth reading beside the figures: timings, answers, refusals. */
  notes: string[];
}

/** A fault injected while a load runs; resolves when the fault is over, with the moment it ended. */
export interface FaultScenario {
  name: string;
  title: string;
  instanceCount: 1 | 2;
  inject(context: ScenarioContext): Promise<{ faultEndedAtMs: number }>;
  /** Extra observations once everything settled, written to the notes. */
  afterSettle?(context: ScenarioContext): Promise<void>;
}

export interface FaultRow {
  scenario: string;
  title: string;
  events: number;
  acknowledged: number;
  found: number;
  lost: number;
  doubled: number;
  /** Up to 10 users counted as doubled, with why. */
  doubledReasons: string[];
  recoverySeconds: number | null;
  lagZeroSeconds: number | null;
  notes: string[];
  /** Set when the scenario could not run to the end: the figures are then incomplete. */
  error: string | null;
}

/** The done rule of issue 17: nothing lost or doubled, every service ready within 30 s of the fault's end. */
export const recoverySecondsMax = 30;

export function rowPasses(row: FaultRow): boolean {
  return row.error === null && row.lost === 0 && row.doubled === 0 && row.recoverySeconds !== null && row.recoverySeconds <= recoverySecondsMax && row.lagZeroSeconds !== null;
}
