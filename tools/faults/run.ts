import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackLoad } from './callback-load';
import { FaultStack } from './fault-stack';
import { countLedger, settle } from './ledger-count';
import { payoutRunsDuring } from './payout-runs';
import { PrivatePostgres, startPrivatePostgres } from './private-postgres';
import { secondsUntilAllReady, secondsUntilLagZero, watchReadiness } from './recovery';
import { printTable } from './report';
import { FaultRow, FaultScenario, rowPasses, ScenarioContext } from './scenario';
import { brokerKill } from './scenarios/broker-kill';
import { poison } from './scenarios/poison';
import { postgresRestart } from './scenarios/postgres-restart';
import { rebalance } from './scenarios/rebalance';
import { relayKill } from './scenarios/relay-kill';

/**
 * The fault suite (issue 17): each scenario on a stack of its own (a fresh broker, a fresh
 * database on a private PostgreSQL cluster, the services from dist/) under a load of signed
 * callbacks, then one table. Exit code 1 unless every row has 0 lost, 0 doubled and every
 * service ready within 30 s of the fault's end.
 *
 *   npm run faults
 *   npm run faults -- --only=broker-kill,poison --events=3000 --rate=200
 *   npm run faults -- --events=20000,rebalance=50000
 */
const scenarios: FaultScenario[] = [brokerKill, postgresRestart, rebalance, poison, relayKill];

interface SuiteOptions {
  only: FaultScenario[];
  /** Callbacks per scenario, by scenario name. */
  events: Map<string, number>;
  ratePerSecond: number;
  keepLogs: boolean;
}

function parseOptions(args: string[]): SuiteOptions {
  const value = (name: string): string | undefined => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const names = value('only')?.split(',').filter(Boolean) ?? scenarios.map((scenario) => scenario.name);
  const unknown = names.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.name).join(', ')}`);
  const ratePerSecond = Number(value('rate') ?? 400);
  if (!(ratePerSecond > 0 && ratePerSecond <= 5_000)) throw new Error('--rate must be from 1 to 5,000 callbacks per second');
  return { only: scenarios.filter((scenario) => names.includes(scenario.name)), events: parseEvents(value('events') ?? '50000'), ratePerSecond, keepLogs: args.includes('--keep-logs') };
}

/** `--events=20000` for every scenario, `--events=20000,rebalance=50000` to size one apart. */
function parseEvents(text: string): Map<string, number> {
  const sizes = new Map<string, number>();
  let everyScenario = 50_000;
  for (const part of text.split(',')) {
    const [name, count] = part.includes('=') ? part.split('=') : ['', part];
    const events = Number(count);
    if (!Number.isInteger(events) || events < 300 || events > 1_000_000) throw new Error(`--events: ${part} is not a count from 300 to 1,000,000`);
    if (name === '') everyScenario = events;
    else if (scenarios.some((scenario) => scenario.name === name)) sizes.set(name, events);
    else throw new Error(`--events: no scenario ${name}`);
  }
  for (const scenario of scenarios) if (!sizes.has(scenario.name)) sizes.set(scenario.name, everyScenario);
  return sizes;
}

async function runScenario(scenario: FaultScenario, options: SuiteOptions, postgres: PrivatePostgres, scratch: string): Promise<FaultRow> {
  const log = (message: string) => console.log(`[faults ${scenario.name}] ${message}`);
  const events = options.events.get(scenario.name)!;
  const row: FaultRow = { scenario: scenario.name, title: scenario.title, events, acknowledged: 0, found: 0, lost: 0, doubled: 0, doubledReasons: [], recoverySeconds: null, lagZeroSeconds: null, notes: [], error: null };
  let stack: FaultStack | null = null;
  let readiness: { stop(): Promise<string[]> } | null = null;
  try {
    stack = await FaultStack.start({ scenario: scenario.name, instanceCount: scenario.instanceCount, postgres, scratch: join(scratch, scenario.name), log });
    const load = CallbackLoad.start({ auiPrefix: stack.auiPrefix, count: events, ratePerSecond: options.ratePerSecond, userCount: Math.max(10, Math.floor(events / 10)), urls: stack.ingestUrls() });
    const payoutRuns = payoutRunsDuring(stack, load.finished);
    readiness = watchReadiness(stack);
    const context: ScenarioContext = { stack, load, events, postgres, log, notes: row.notes };
    const faultEndedAtMs = await injectOrNote(scenario, context, row);
    log('fault over; measuring recovery');
    [row.recoverySeconds, row.lagZeroSeconds] = await Promise.all([secondsUntilAllReady(stack, faultEndedAtMs, row.notes), secondsUntilLagZero(stack, faultEndedAtMs, row.notes)]);
    const notReady = await readiness.stop();
    row.notes.push(notReady.length > 0 ? `seen not ready during the fault: ${notReady.join(', ')}` : 'no service ever reported not ready');
    await load.finished;
    const runs = await payoutRuns;
    // What was sent: a stack too slow for the planned rate ends the load before the count.
    row.events = load.sent.length;
    row.notes.push(`callbacks: ${load.countOf('acknowledged')} acknowledged, ${load.countOf('refused')} refused (4xx), ${load.countOf('unknown')} unanswered or 5xx; payout runs: ${runs.requested} asked, ${runs.failed} refused`);
    log('load over; settling');
    await settle(stack, row.notes);
    const { payoutsSucceeded, lostWhere, ...count } = await countLedger(stack, load);
    Object.assign(row, count);
    row.notes.push(payoutsSucceeded, ...(lostWhere ? [lostWhere] : []));
    await scenario.afterSettle?.(context);
  } catch (error) {
    row.error = row.error ?? (error as Error).message;
    log(`failed: ${(error as Error).stack}`);
  } finally {
    await readiness?.stop();
    await stack?.stop().catch((error: Error) => log(`stopping the stack: ${error.message}`));
  }
  return row;
}

/** A fault that could not be injected makes the row an ERROR, yet the load, recovery and counts still run and print. */
async function injectOrNote(scenario: FaultScenario, context: ScenarioContext, row: FaultRow): Promise<number> {
  try {
    return (await scenario.inject(context)).faultEndedAtMs;
  } catch (error) {
    row.error = `fault not injected as planned: ${(error as Error).message}`;
    return Date.now();
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'earnings-faults-'));
  const postgres = await startPrivatePostgres((message) => console.log(`[faults] ${message}`));
  // pg_ctl runs the server in a session of its own, so a Ctrl-C would not reach it: stop it here.
  process.once('SIGINT', () => {
    void postgres.stop().finally(() => process.exit(130));
  });
  const rows: FaultRow[] = [];
  try {
    for (const scenario of options.only) {
      const row = await runScenario(scenario, options, postgres, scratch);
      rows.push(row);
      // A line per scenario as it ends, so a run stopped early still leaves its figures.
      console.log(`[faults ${row.scenario}] done: ${JSON.stringify({ ...row, notes: undefined, doubledReasons: undefined })}`);
    }
  } finally {
    await postgres.stop();
  }
  printTable(rows, options.ratePerSecond);
  const passed = rows.every(rowPasses);
  if (passed && !options.keepLogs) rmSync(scratch, { recursive: true, force: true });
  else console.log(`service and broker logs: ${scratch}`);
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
