import { Decimal } from '@earnings/domain';
import { Topics } from '@earnings/contracts';
import { eventually, readWholeTopic, waitForProjectorToCatchUp } from '../e2e/test-stack';
import { CallbackLoad, payeePrefix } from './callback-load';
import { FaultStack } from './fault-stack';
import { requestPayoutRun } from './payout-runs';

const settleWaitMs = 180_000;
const detailsUsersMax = 3;

export interface LedgerCount {
  acknowledged: number;
  found: number;
  lost: number;
  /** Users whose money was counted or paid twice somewhere (see `doubledReasons`). */
  doubled: number;
  doubledReasons: string[];
  /** Payouts of the run that succeeded, and their total: evidence money left during the fault. */
  payoutsSucceeded: string;
  /** Where the lost ones went missing (Kafka or the projector); null when none was lost. */
  lostWhere: string | null;
}

/**
 * After the load: one more payout run, then waits (bounded) until no payout is in flight, both
 * outboxes are published and the projector has applied everything. What did not settle is noted.
 */
export async function settle(stack: FaultStack, problems: string[]): Promise<void> {
  const exited = stack.services().filter((service) => service.child.exitCode !== null || service.child.signalCode !== null);
  if (exited.length > 0) {
    // Nobody restarts them (that is the test): waiting could only time out. Count what is there.
    problems.push(`not settled: ${exited.map((service) => `${service.name} exited with ${service.child.exitCode ?? service.child.signalCode}`).join(', ')}`);
    return;
  }
  await requestPayoutRun(stack, 0);
  try {
    await eventually(
      async () => (await stack.sql(`SELECT (SELECT count(*) FROM payout WHERE state IN ('requested', 'submitted')) + (SELECT count(*) FROM payout_outbox WHERE published_at IS NULL) AS open`))[0].open,
      (open) => Number(open) === 0,
      settleWaitMs,
    );
    const schema = await stack.ledgerSchema();
    await eventually(async () => (await stack.sql(`SELECT count(*) AS open FROM ${schema}.outbox WHERE published_at IS NULL`))[0].open, (open) => Number(open) === 0, settleWaitMs);
    await waitForProjectorToCatchUp(stack.databaseUrl, stack.projectorGroup, settleWaitMs);
    await viewCaughtUp(stack, schema);
  } catch (error) {
    problems.push(`did not settle: ${(error as Error).message.slice(0, 300)}`);
  }
}

/** The payout service's balance view follows the ledger's payees through balance-changed: wait until it agrees. */
async function viewCaughtUp(stack: FaultStack, schema: string): Promise<void> {
  await eventually(
    async () => (await stack.sql(`
      SELECT count(*) AS differing FROM ${schema}.balance b LEFT JOIN payout_balance v ON v.aui = b.aui AND v.unit = b.unit
      WHERE starts_with(b.aui, $1) AND (v.available IS DISTINCT FROM b.available OR v.paid_out IS DISTINCT FROM b.paid_out)`, [payeePrefix(stack.auiPrefix)]))[0].differing,
    (differing) => Number(differing) === 0,
    settleWaitMs,
  );
}

/**
 * Lost: acknowledged callbacks whose commission is not in the ledger. Doubled: users whose
 * lifetime exceeds every amount that may have reached Kafka for them (acknowledged or unknown),
 * whose paid-out exceeds their succeeded payouts (a PayoutExecuted applied twice), who were paid
 * more than they earned, or whose payout view shows more available than the ledger.
 */
export async function countLedger(stack: FaultStack, load: CallbackLoad): Promise<LedgerCount> {
  const schema = await stack.ledgerSchema();
  const prefix = `${stack.auiPrefix}-`;
  const inLedger = new Set((await stack.sql(`SELECT commission_id FROM ${schema}.commission WHERE source = 'wildfire' AND starts_with(aui, $1)`, [prefix])).map((row) => row.commission_id));
  const acknowledged = load.sent.filter((callback) => callback.outcome === 'acknowledged');
  const found = acknowledged.filter((callback) => inLedger.has(callback.commissionId)).length;
  const reasons = await doubledUsers(stack, schema, load);
  const [payouts] = await stack.sql(`SELECT count(*)::text AS count, coalesce(sum(amount), 0)::text AS total FROM payout WHERE state = 'succeeded' AND starts_with(aui, $1)`, [prefix]);
  return {
    acknowledged: acknowledged.length, found, lost: acknowledged.length - found, doubled: reasons.size,
    doubledReasons: [...reasons].map(([aui, why]) => `${aui}: ${why}`).slice(0, 10),
    payoutsSucceeded: `${payouts.count} payouts succeeded, ${payouts.total} USD`,
    lostWhere: found === acknowledged.length ? null : await whereLost(acknowledged.filter((callback) => !inLedger.has(callback.commissionId))),
  };
}

/** Tells ingest's loss (never on commission-observed) from the projector's (on the topic, not applied). */
async function whereLost(lost: CallbackLoad['sent']): Promise<string> {
  const onTopic = new Set<string>();
  for (const message of await readWholeTopic(Topics.commissionObserved)) {
    const commissionId = (JSON.parse(message.value) as { commissionId?: unknown }).commissionId;
    if (typeof commissionId === 'string') onTopic.add(commissionId);
  }
  const missingFromKafka = lost.filter((callback) => !onTopic.has(callback.commissionId));
  const counted = (callbacks: CallbackLoad['sent']) => `${callbacks.length}${callbacks.length > 0 ? ` (commissions ${callbacks.slice(0, 5).map((callback) => callback.commissionId).join(', ')}, ...)` : ''}`;
  return `lost: ${counted(missingFromKafka)} never reached commission-observed though ingest answered 2xx; `
    + `${counted(lost.filter((callback) => onTopic.has(callback.commissionId)))} are on the topic but not in the ledger`;
}

async function doubledUsers(stack: FaultStack, schema: string, load: CallbackLoad): Promise<Map<string, string>> {
  const prefix = `${stack.auiPrefix}-`;
  const mayHaveLanded = new Map<string, Decimal>();
  for (const callback of load.sent.filter((sent) => sent.outcome !== 'refused')) {
    mayHaveLanded.set(callback.aui, (mayHaveLanded.get(callback.aui) ?? new Decimal(0)).plus(callback.amount));
  }
  const balances = await stack.sql(`SELECT aui, lifetime::text, payable::text, paid_out::text, available::text FROM ${schema}.balance WHERE starts_with(aui, $1) AND unit = 'USD'`, [prefix]);
  const paid = new Map((await stack.sql(`SELECT aui, sum(amount)::text AS total FROM payout WHERE state = 'succeeded' AND starts_with(aui, $1) GROUP BY aui`, [prefix])).map((row) => [row.aui, new Decimal(row.total)]));
  const view = new Map((await stack.sql(`SELECT aui, available::text FROM payout_balance WHERE starts_with(aui, $1) AND unit = 'USD'`, [prefix])).map((row) => [row.aui, new Decimal(row.available)]));
  const reasons = new Map<string, string>();
  for (const balance of balances) {
    const paidOut = paid.get(balance.aui) ?? new Decimal(0);
    const ceiling = mayHaveLanded.get(balance.aui) ?? new Decimal(0);
    if (new Decimal(balance.lifetime).gt(ceiling)) reasons.set(balance.aui, `lifetime ${balance.lifetime} > ${ceiling.toFixed()} sent`);
    else if (new Decimal(balance.paid_out).gt(paidOut)) reasons.set(balance.aui, `paid out ${balance.paid_out} > ${paidOut.toFixed()} in succeeded payouts`);
    else if (paidOut.gt(balance.payable)) reasons.set(balance.aui, `paid ${paidOut.toFixed()} > payable ${balance.payable}`);
    else if ((view.get(balance.aui) ?? new Decimal(0)).gt(balance.available)) reasons.set(balance.aui, `payout view available ${view.get(balance.aui)?.toFixed()} > ledger ${balance.available}`);
  }
  return withPayoutDetails(stack, schema, reasons);
}

/** For the first few users counted as doubled, each payout as the ledger and the payout service see it: the evidence to read. */
async function withPayoutDetails(stack: FaultStack, schema: string, reasons: Map<string, string>): Promise<Map<string, string>> {
  const detailed = new Map<string, string>();
  for (const [aui, reason] of [...reasons].slice(0, detailsUsersMax)) {
    const ledger = await stack.sql(`SELECT payout_id, amount::text, state FROM ${schema}.payout WHERE aui = $1 ORDER BY payout_id`, [aui]).catch(() => []);
    const service = await stack.sql(`SELECT payout_id, amount::text, state FROM payout WHERE aui = $1 ORDER BY payout_id`, [aui]);
    const list = (rows: Record<string, string>[]) => rows.map((row) => `${row.payout_id.slice(0, 11)} ${row.amount} ${row.state}`).join('; ');
    detailed.set(aui, `${reason} (ledger: ${list(ledger)} | payout service: ${list(service)})`);
  }
  for (const [aui, reason] of [...reasons].slice(detailsUsersMax)) detailed.set(aui, reason);
  return detailed;
}
