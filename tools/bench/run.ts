import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { waitForProjector } from './catch-up';
import { copyFloorBench, timeCopyFloor } from './copy-floor';
import { machineCpuTicks } from './cpu';
import { produceEvents } from './events';
import { freshnessBench } from './freshness-bench';
import { ingestBench } from './ingest-bench';
import { BenchSizes, fullSizes, quickSizes } from './limits';
import { ProjectorRunFigures, projectorBench, rawUpsertBench } from './projector-bench';
import { queryBench } from './query-bench';
import { rebuildBench } from './rebuild-bench';
import { formatTable, ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

/**
 * `npm run bench [-- --quick] [-- --profile] [-- --only=ingest,query] [-- --stop-at=2026-01-01T00:40:00Z]`:
 * starts its own broker and databases, measures each step beside a limit taken in the same run,
 * prints a table and writes it as JSON under bench/results/. --profile writes a CPU profile of
 * every service process to bench/results/profiles-<time>/<process>/, the main thread's as CPU.*.<pid>.0.*.cpuprofile (summarise with
 * dist/tools/bench/profile-summary.js). --only runs some steps (for a before/after of one
 * change); --stop-at ends the run at that time, keeping what was measured.
 */
const stepNames = ['projector', 'ingest', 'query', 'freshness', 'large'] as const;
type StepName = (typeof stepNames)[number];

interface Options {
  quick: boolean;
  profile: boolean;
  stopAt: Date | null;
  /** `large` is the 1,000,000-event projector run and the rebuild (full mode only). */
  steps: Set<StepName>;
}

const usage = `usage: run.js [--quick] [--profile] [--only=${stepNames.join(',')}] [--stop-at=<ISO time>]`;

function parseOptions(argv: string[]): Options {
  const valueOf = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const unknown = argv.filter((arg) => arg !== '--quick' && arg !== '--profile' && !arg.startsWith('--stop-at=') && !arg.startsWith('--only='));
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')}; ${usage}`);
  const stopAt = valueOf('stop-at');
  if (stopAt !== undefined && Number.isNaN(Date.parse(stopAt))) throw new Error(`--stop-at needs an ISO time, got ${stopAt}`);
  const only = valueOf('only')?.split(',') ?? [...stepNames];
  const wrong = only.filter((name) => !(stepNames as readonly string[]).includes(name));
  if (wrong.length > 0) throw new Error(`--only: unknown step ${wrong.join(', ')}; ${usage}`);
  return { quick: argv.includes('--quick'), profile: argv.includes('--profile'), stopAt: stopAt === undefined ? null : new Date(stopAt), steps: new Set(only as StepName[]) };
}

const log = (message: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Starts `group`'s projector until it has applied everything in the topic, so a rebuild compares like with like. */
async function catchUp(stack: BenchStack, database: BenchDatabase, group: string): Promise<void> {
  const projector = await stack.startService('ledger-projector', `catch-up-${group}`, { DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: group }, 'live');
  try {
    await waitForProjector(database.url, group, await stack.endOffsetTotal());
  } finally {
    await projector.stop();
  }
}

async function produce(stack: BenchStack, book: ResultBook, run: string, from: number, to: number): Promise<void> {
  log(`producing events ${from.toLocaleString('en-US')}..${to.toLocaleString('en-US')} to commission-observed...`);
  const perSecond = await produceEvents(stack.kafka('earnings-bench-producer'), run, from, to);
  book.note(`pre-produced ${(to - from).toLocaleString('en-US')} CommissionObserved events with kafkajs sendBatch (acks=all) at ${Math.round(perSecond).toLocaleString('en-US')}/s`);
}

/** Runs one step, noting the share of CPU the hypervisor stole meanwhile: the rates of a step that lost much are not comparable. */
async function step<T>(book: ResultBook, label: string, work: () => Promise<T>): Promise<T> {
  log(`${label}...`);
  const before = machineCpuTicks();
  const result = await work();
  book.note(`CPU stolen by the hypervisor during ${label}: ${(stolenShare(before, machineCpuTicks()) * 100).toFixed(1)}%`);
  return result;
}

const stolenShare = (before: { total: number; steal: number }, after: { total: number; steal: number }): number =>
  (after.steal - before.steal) / Math.max(after.total - before.total, 1);

/** The steps in an order that puts the short measurements first, so a run cut short still has them. */
async function runSteps(stack: BenchStack, book: ResultBook, sizes: BenchSizes, run: string, steps: Set<StepName>): Promise<void> {
  const small = await stack.database('small');
  const smallGroup = 'bench-projector-small';
  // Query, freshness and the rebuild read the small projection, so they need it built.
  const needsSmallProjection = ['projector', 'query', 'freshness', 'large'].some((name) => steps.has(name as StepName));
  let smallFigures: Awaited<ReturnType<typeof projectorBench>> | null = null;
  let smallCopyFloor: ProjectorRunFigures | null = null;
  if (needsSmallProjection) {
    await produce(stack, book, run, 0, sizes.projectorEventsSmall);
    smallFigures = await step(book, 'projector (small)', () => projectorBench(stack, book, small, smallGroup));
    const figures = smallFigures;
    if (steps.has('projector')) {
      await step(book, 'pg alone (small)', () => rawUpsertBench(stack, book, run, sizes.projectorEventsSmall, figures.projector, figures.step));
      smallCopyFloor = await step(book, 'COPY floor (small)', () => copyFloorBench(stack, book, run, sizes.projectorEventsSmall, figures.projector, figures.step));
    }
  }
  if (steps.has('ingest')) await step(book, 'ingest', () => ingestBench(stack, book, sizes, small));
  if (steps.has('query')) await step(book, 'query', () => queryBench(stack, book, sizes, small, run, sizes.projectorEventsSmall));
  if (steps.has('freshness')) await step(book, 'freshness', () => freshnessBench(stack, book, sizes, small, smallGroup));
  if (!steps.has('large')) return;
  if (sizes.projectorEventsLarge === 0) {
    await catchUp(stack, small, smallGroup);
    const copyFloor = smallCopyFloor ?? (await step(book, 'COPY floor (small)', () => timeCopyFloor(stack, run, sizes.projectorEventsSmall)));
    await step(book, 'rebuild (small)', () => rebuildBench(stack, book, small, smallGroup, smallFigures!.readOnly, copyFloor));
    return;
  }
  await produce(stack, book, run, sizes.projectorEventsSmall, sizes.projectorEventsLarge);
  const large = await stack.database('large');
  const largeGroup = 'bench-projector-large';
  const largeFigures = await step(book, 'projector (large)', () => projectorBench(stack, book, large, largeGroup));
  await catchUp(stack, large, largeGroup);
  // Before the rebuild, which stands beside it too.
  const largeCopyFloor = await step(book, 'COPY floor (large)', () => copyFloorBench(stack, book, run, sizes.projectorEventsLarge, largeFigures.projector, largeFigures.step));
  await step(book, 'rebuild (large)', () => rebuildBench(stack, book, large, largeGroup, largeFigures.readOnly, largeCopyFloor));
  await step(book, 'pg alone (large)', () => rawUpsertBench(stack, book, run, sizes.projectorEventsLarge, largeFigures.projector, largeFigures.step));
}

/** Peak RSS of every process, beside the bare Node http server's (a Node process doing nearly nothing). */
function addMemoryRows(book: ResultBook, peaks: Map<string, number>): void {
  const bare = peaks.get('bare-http') ?? null;
  for (const [label, mb] of [...peaks].sort(([left], [right]) => left.localeCompare(right))) {
    book.add({ step: '6. peak RSS (VmHWM)', figure: label, value: mb, unit: 'MiB', limit: label === 'bare-http' ? '' : 'bare Node http server process', limitValue: label === 'bare-http' ? null : bare });
  }
}

function printSummary(book: ResultBook, file: string): void {
  console.log(`\n${formatTable(book.report.rows)}\n`);
  console.log('ratio = figure / limit: for rates, the share of the limit reached; for latencies, seconds and memory, how many times the limit.');
  console.log('latencies from autocannon have 1 ms resolution (a bare server\'s 0 ms p50 means under 1 ms); --profile adds a little CPU to every process.\n');
  for (const note of book.report.notes) console.log(`note: ${note}`);
  for (const problem of book.report.problems) console.log(`PROBLEM: ${problem}`);
  console.log(`\nwritten to ${file}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const sizes = options.quick ? quickSizes : fullSizes;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDirectory = join(workspaceRoot(), 'bench', 'results');
  const file = join(resultsDirectory, `${stamp}-${options.quick ? 'quick' : 'full'}.json`);
  const book = new ResultBook(file, {
    mode: options.quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` },
    sizes,
    profiled: options.profile,
    steps: [...options.steps],
    rows: [],
    problems: [],
    notes: [],
  });
  const profileDirectory = options.profile ? join(resultsDirectory, `profiles-${stamp}`) : null;
  const cpuAtStart = machineCpuTicks();
  const stack = await BenchStack.start({ profileDirectory, log });
  let finishing: Promise<void> | null = null;
  const finishOnce = (failed: boolean) => (finishing ??= finish(failed));
  const finish = async (failed: boolean) => {
    addMemoryRows(book, stack.memory.peaksMb());
    // On a shared virtual machine rates move with this; CPU per request does not.
    book.note(`CPU stolen by the hypervisor during the whole run: ${(stolenShare(cpuAtStart, machineCpuTicks()) * 100).toFixed(1)}% of the machine's CPU time`);
    book.finish();
    await stack.stop(failed);
    printSummary(book, file);
    if (failed) console.log(`logs kept in ${stack.scratch}`);
    if (profileDirectory) console.log(`CPU profiles in ${profileDirectory}`);
  };
  if (options.stopAt) {
    setTimeout(() => {
      book.problem(`stopped at ${options.stopAt!.toISOString()} (--stop-at) before every step finished`);
      void finishOnce(true).then(() => process.exit(2));
    }, Math.max(0, options.stopAt.getTime() - Date.now())).unref();
  }
  let failed = false;
  try {
    await runSteps(stack, book, sizes, randomBytes(3).toString('hex'), options.steps);
  } catch (error) {
    failed = true;
    book.problem(`step failed: ${(error as Error).stack ?? String(error)}`);
  }
  await finishOnce(failed);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[bench] failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
