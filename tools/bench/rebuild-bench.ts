import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nowMs } from './catch-up';
import { copyFloorLimit } from './copy-floor';
import { ProjectorRunFigures, timeProjector } from './projector-bench';
import { ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

export const rebuildCommand = 'dist/apps/ledger-projector/src/commands/rebuild-projection.js';

interface RebuildReport {
  messagesReplayed: string;
  replaySeconds: number;
  differenceCount: number;
}

/** Runs the rebuild command against `database` (whose live projection is caught up) and returns its one-line JSON report. */
async function runRebuildCommand(stack: BenchStack, database: BenchDatabase, liveGroup: string): Promise<{ report: RebuildReport; wallSeconds: number }> {
  const started = nowMs();
  const { child } = stack.spawnNode('rebuild-projection', rebuildCommand, [], { DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: liveGroup });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  if (!lastLine.startsWith('{')) throw new Error(`rebuild exited with ${code} without a report; see ${stack.scratch}/rebuild-projection.err.log`);
  return { report: JSON.parse(lastLine) as RebuildReport, wallSeconds: (nowMs() - started) / 1000 };
}

/**
 * Seconds to rebuild the projection by replay. With the rebuild command: replay into a new
 * schema (its own timing) and the whole command (compare included). Without it: a fresh
 * projector group from offset zero into a fresh database. Beside the read-only consumer's
 * seconds for the same events, and beside the COPY floor's: the rows those events leave
 * (commissions, versions, balances) written by COPY.
 */
export async function rebuildBench(stack: BenchStack, book: ResultBook, database: BenchDatabase, liveGroup: string, readOnly: ProjectorRunFigures, copyFloor: ProjectorRunFigures): Promise<void> {
  const limit = 'kafkajs consumer that only reads, same events';
  const readOnlySeconds = readOnly.events / readOnly.eventsPerSecond;
  const copyNote = (replayed: number) =>
    `COPY wrote ${copyFloor.events.toLocaleString('en-US')} generated events${replayed === copyFloor.events ? '' : ` (the replay read ${replayed.toLocaleString('en-US')})`}`;
  if (!existsSync(join(stack.root, rebuildCommand))) {
    book.note(`rebuild: ${rebuildCommand} does not exist; measured a fresh projector group from offset zero into a fresh database instead`);
    const fresh = await timeProjector(stack, await stack.database('rebuild'), 'rebuild', `bench-rebuild-${Date.now()}`);
    const step = `3. rebuild (${fresh.events.toLocaleString('en-US')} events)`;
    const figure = 'seconds (fresh group, fresh database)';
    book.add({ step, figure, value: fresh.events / fresh.eventsPerSecond, unit: 's', limit, limitValue: readOnlySeconds });
    book.add({ step, figure, value: fresh.events / fresh.eventsPerSecond, unit: 's', limit: copyFloorLimit, limitValue: copyFloor.seconds, note: copyNote(fresh.events) });
    return;
  }
  const { report, wallSeconds } = await runRebuildCommand(stack, database, liveGroup);
  const replayed = Number(report.messagesReplayed);
  const step = `3. rebuild (${replayed.toLocaleString('en-US')} events)`;
  book.add({ step, figure: 'seconds, replay into a new schema', value: report.replaySeconds, unit: 's', limit, limitValue: readOnlySeconds });
  book.add({ step, figure: 'seconds, replay into a new schema', value: report.replaySeconds, unit: 's', limit: copyFloorLimit, limitValue: copyFloor.seconds, note: copyNote(replayed) });
  book.add({ step, figure: 'seconds, whole command (start, replay, compare)', value: wallSeconds, unit: 's', limit, limitValue: readOnlySeconds });
  book.add({ step, figure: 'seconds, whole command (start, replay, compare)', value: wallSeconds, unit: 's', limit: copyFloorLimit, limitValue: copyFloor.seconds, note: copyNote(replayed) });
  if (report.differenceCount !== 0) book.problem(`rebuild: ${report.differenceCount} per-(AUI, unit) differences between the rebuilt and the live projection`);
}
