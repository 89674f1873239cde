import { SeededRandom } from '../random';
import {
  CommissionHistory,
  CommissionRole,
  CommissionVersion,
  ReportingPattern,
  SimulatedApplication,
  SimulatedCommission,
  VersionAmounts,
  WildfireStatus,
} from './commission-history';
import { merchantCatalogue } from './merchant-catalogue';
import { microsPerSecond, WireTimestamp } from './wire-format';

export interface HistorySettings {
  seed: string;
  users: number;
  commissions: number;
  /** One application per currency. */
  currencies: readonly string[];
  /** AUIs are `${auiPrefix}0001`...; a distinct prefix keeps runs sharing one Kafka cluster apart. */
  auiPrefix: string;
  /**
   * The moment the simulator clock starts at (ms since the epoch), usually when it started: the
   * history is dated relative to it, so recent purchases are pending, older ones paid, and no
   * locking date lies years in the past. The same settings (this included) give the same history.
   */
  startAtMs: number;
}

export const usersMax = 100_000;
export const commissionsMax = 500_000;
export const currenciesMax = 10;

const secondsPerDay = 86_400;
/** Purchases happen over this many days after the base date. */
const eventSpanDays = 150;
/** The clock starts this many days after the first purchases: recent purchases are still pending and later versions are not visible yet. */
const initialNowDays = 120;
const merchantCount = 40;
const itemsPerOrderMax = 4;

/**
 * Deterministic Wildfire commission histories: the same settings give byte-identical records,
 * whatever the machine, because every choice comes from one seeded PRNG drawn in a fixed order.
 */
export function generateHistory(settings: HistorySettings): CommissionHistory {
  assertSettings(settings);
  const random = new SeededRandom(`wildfire-history|${settings.seed}`);
  const startAtSeconds = Math.floor(settings.startAtMs / 1000);
  const baseSeconds = baseSecondsFor(startAtSeconds);
  const world = createWorld(random, settings);
  const commissions: SimulatedCommission[] = [];
  const ids = { next: 30_000_000 + random.int(0, 9_999_999) };
  while (commissions.length < settings.commissions) {
    for (const record of purchaseRecords(random, world, baseSeconds, ids)) {
      if (commissions.length < settings.commissions) commissions.push(record);
    }
  }
  return {
    seed: settings.seed,
    baseMicros: baseSeconds * microsPerSecond,
    initialNowMicros: startAtSeconds * microsPerSecond,
    applications: world.applications,
    merchants: merchantCatalogue(settings.seed, world.merchants.map((merchant) => merchant.merchantId)),
    auis: world.users.map((user) => user.aui),
    commissions,
  };
}

function assertSettings(settings: HistorySettings): void {
  const countOk = (value: number, max: number) => Number.isSafeInteger(value) && value >= 1 && value <= max;
  if (!countOk(settings.users, usersMax)) throw new RangeError(`users must be 1..${usersMax}`);
  if (!countOk(settings.commissions, commissionsMax)) throw new RangeError(`commissions must be 1..${commissionsMax}`);
  if (!countOk(settings.currencies.length, currenciesMax)) throw new RangeError(`currencies must list 1..${currenciesMax} codes`);
  const bad = settings.currencies.find((currency) => !/^[A-Z]{3}$/.test(currency));
  if (bad !== undefined) throw new RangeError(`currency ${bad} is not a three-letter upper-case code`);
  if (new Set(settings.currencies).size !== settings.currencies.length) throw new RangeError('currencies must not repeat');
  if (!Number.isSafeInteger(settings.startAtMs) || settings.startAtMs < Date.UTC(2001, 0, 1)) throw new RangeError('startAtMs must be a time after 2001 in ms');
}

/** Midnight UTC, `initialNowDays` before the day the clock starts on. */
function baseSecondsFor(startAtSeconds: number): number {
  return (Math.floor(startAtSeconds / secondsPerDay) - initialNowDays) * secondsPerDay;
}

interface SimulatedUser {
  aui: string;
  deviceId: number;
}

interface MerchantTerms {
  merchantId: number;
  /** Commission rate range in basis points. */
  rateBpMin: number;
  rateBpMax: number;
  amountFractionDigitsMin: number;
  pattern: ReportingPattern;
}

interface World {
  users: SimulatedUser[];
  applications: SimulatedApplication[];
  merchants: MerchantTerms[];
  currencies: readonly string[];
}

function createWorld(random: SeededRandom, settings: HistorySettings): World {
  const users = Array.from({ length: settings.users }, (_, index) => ({
    aui: `${settings.auiPrefix}${String(index + 1).padStart(4, '0')}`,
    deviceId: 15_000_000 + index * 16 + random.int(0, 15),
  }));
  const applications = settings.currencies.map((currency, index) => ({ applicationId: 100 + index * 50 + random.int(0, 49), currency }));
  const merchants = Array.from({ length: merchantCount }, (_, index) => createMerchant(random, index));
  return { users, applications, merchants, currencies: settings.currencies };
}

function createMerchant(random: SeededRandom, index: number): MerchantTerms {
  const rateBpMin = random.int(100, 800);
  const patternDraw = random.next();
  return {
    merchantId: 5_400_000 + index * 5_000 + random.int(0, 4_999),
    rateBpMin,
    rateBpMax: rateBpMin + random.int(0, 700),
    // A quarter of merchants send padded amounts like "1.2500"; parsers must not care.
    amountFractionDigitsMin: random.chance(0.25) ? 4 : 0,
    pattern: patternDraw < 0.45 ? 'order-level' : patternDraw < 0.75 ? 'item-level' : 'mixed',
  };
}

/** Everything shared by the records of one purchase. */
interface Purchase {
  user: SimulatedUser;
  application: SimulatedApplication;
  merchant: MerchantTerms;
  saleCurrency: string;
  eventSeconds: number;
  lockingDate: WireTimestamp | null;
  merchantOrderId: string;
  rateBp: number;
  /** Percent of the application amount Wildfire pays the user directly, or null (partner pays). */
  devicePercent: number | null;
  items: { saleCents: number; sku: string }[];
  steps: StatusStep[];
}

interface StatusStep {
  status: WildfireStatus;
  atSeconds: number;
}

interface TimelineEvent {
  atSeconds: number;
  status: WildfireStatus;
  amounts: VersionAmounts;
}

/** The commission records of one purchase, as its merchant reports them. */
function purchaseRecords(random: SeededRandom, world: World, baseSeconds: number, ids: { next: number }): SimulatedCommission[] {
  const shared = createPurchase(random, world, baseSeconds);
  switch (shared.merchant.pattern) {
    case 'order-level':
      return [orderLevelRecord(random, shared, ids)];
    case 'item-level':
      return itemLevelRecords(random, shared, ids);
    case 'mixed':
      return mixedRecords(random, shared, ids);
    default: {
      const unreachable: never = shared.merchant.pattern;
      throw new Error(`unhandled pattern ${String(unreachable)}`);
    }
  }
}

function createPurchase(random: SeededRandom, world: World, baseSeconds: number): Purchase {
  const application = random.pick(world.applications);
  const merchant = random.pick(world.merchants);
  const eventSeconds = baseSeconds + random.int(0, eventSpanDays * secondsPerDay);
  const itemCount = merchant.pattern === 'order-level' ? random.int(1, itemsPerOrderMax) : random.int(1, 3);
  return {
    user: random.pick(world.users),
    application,
    merchant,
    // Sales are not converted: now and then the purchase was made in another currency.
    saleCurrency: random.chance(0.1) ? random.pick(world.currencies) : application.currency,
    eventSeconds,
    lockingDate: random.chance(0.3) ? null : { micros: (eventSeconds + random.int(60, 90) * secondsPerDay) * microsPerSecond, fractionDigits: 0 },
    merchantOrderId: random.chance(0.1) ? '' : String(random.int(1_000_000_000, 9_999_999_999)),
    rateBp: random.int(merchant.rateBpMin, merchant.rateBpMax),
    devicePercent: random.chance(0.2) ? random.int(50, 200) : null,
    items: Array.from({ length: itemCount }, () => ({ saleCents: random.int(500, 25_000), sku: String(random.int(10_000_000, 99_999_999_999)) })),
    steps: statusSteps(random, eventSeconds),
  };
}

/**
 * pending → (confirmed) → ready → paid, or pending → disqualified. Some steps lie beyond the
 * simulator clock, so advancing the clock reveals them.
 */
function statusSteps(random: SeededRandom, eventSeconds: number): StatusStep[] {
  const createdSeconds = eventSeconds + random.int(600, 36 * 3_600);
  const steps: StatusStep[] = [{ status: 'pending', atSeconds: createdSeconds }];
  if (random.chance(0.06)) {
    steps.push({ status: 'disqualified', atSeconds: eventSeconds + random.int(4, 30) * secondsPerDay + random.int(0, secondsPerDay) });
    return steps;
  }
  if (random.chance(0.6)) steps.push({ status: 'confirmed', atSeconds: eventSeconds + random.int(8, 30) * secondsPerDay + random.int(0, secondsPerDay) });
  steps.push({ status: 'ready', atSeconds: eventSeconds + random.int(35, 60) * secondsPerDay + random.int(0, secondsPerDay) });
  steps.push({ status: 'paid', atSeconds: eventSeconds + random.int(62, 100) * secondsPerDay + random.int(0, secondsPerDay) });
  return steps;
}

/** Commission = sale × rate, truncated to 1e-5, all in integers: cents × basis points / 10 = 1e-5 units. */
function amountsOf(purchase: Purchase, saleCents: number): VersionAmounts {
  const applicationUnits = Math.floor((saleCents * purchase.rateBp) / 10);
  const deviceUnits = purchase.devicePercent === null ? null : Math.floor((applicationUnits * purchase.devicePercent) / 100);
  return { saleCents, applicationUnits, deviceUnits };
}

function negated(amounts: VersionAmounts): VersionAmounts {
  return {
    saleCents: -amounts.saleCents,
    applicationUnits: -amounts.applicationUnits,
    deviceUnits: amounts.deviceUnits === null ? null : -amounts.deviceUnits,
  };
}

function totalSaleCents(items: { saleCents: number }[]): number {
  return items.reduce((sum, item) => sum + item.saleCents, 0);
}

/** One record per order; a return changes the same CommissionID (new amounts, new ModifiedDate). */
function orderLevelRecord(random: SeededRandom, purchase: Purchase, ids: { next: number }): SimulatedCommission {
  const original = amountsOf(purchase, totalSaleCents(purchase.items));
  const events = purchase.steps.map((step) => ({ ...step, amounts: original }));
  const disqualified = purchase.steps.some((step) => step.status === 'disqualified');
  if (!disqualified && random.chance(0.3)) {
    const returnSeconds = purchase.eventSeconds + random.int(3, 25) * secondsPerDay + random.int(0, secondsPerDay);
    const kept = purchase.items.length > 1 ? totalSaleCents(purchase.items.slice(1)) : Math.floor(purchase.items[0].saleCents / 2);
    applyAmountChange(events, returnSeconds, amountsOf(purchase, kept));
  }
  const skus = purchase.items.map((item) => item.sku).join(',');
  return buildRecord(random, purchase, ids, { role: 'order', pattern: 'order-level', sku: skus, events });
}

/** From `atSeconds` on, every version carries the new amounts; the change itself is a version too. */
function applyAmountChange(events: TimelineEvent[], atSeconds: number, amounts: VersionAmounts): void {
  const before = events.filter((event) => event.atSeconds <= atSeconds);
  const statusThen = (before[before.length - 1] ?? events[0]).status;
  for (const event of events) if (event.atSeconds > atSeconds) event.amounts = amounts;
  events.push({ atSeconds: Math.max(atSeconds, events[0].atSeconds + 1), status: statusThen, amounts });
}

/** One record per item; a return is a new CommissionID with the item's amounts negated. */
function itemLevelRecords(random: SeededRandom, purchase: Purchase, ids: { next: number }): SimulatedCommission[] {
  const records = purchase.items.map((item) => {
    const amounts = amountsOf(purchase, item.saleCents);
    const events = jittered(random, purchase.steps).map((step) => ({ ...step, amounts }));
    return buildRecord(random, purchase, ids, { role: 'item', pattern: 'item-level', sku: item.sku, events });
  });
  const returned = maybeReturn(random, purchase, ids, 'item-level', 0.35);
  return returned === null ? records : [...records, returned];
}

/** The purchase as one order-level record; returns as separate negative item records. */
function mixedRecords(random: SeededRandom, purchase: Purchase, ids: { next: number }): SimulatedCommission[] {
  const amounts = amountsOf(purchase, totalSaleCents(purchase.items));
  const events = purchase.steps.map((step) => ({ ...step, amounts }));
  const skus = purchase.items.map((item) => item.sku).join(',');
  const order = buildRecord(random, purchase, ids, { role: 'order', pattern: 'mixed', sku: skus, events });
  const returned = maybeReturn(random, purchase, ids, 'mixed', 0.6);
  return returned === null ? [order] : [order, returned];
}

/** A negative record for one item, created days later, then following the purchase's later statuses. */
function maybeReturn(random: SeededRandom, purchase: Purchase, ids: { next: number }, pattern: ReportingPattern, probability: number): SimulatedCommission | null {
  if (purchase.steps.some((step) => step.status === 'disqualified') || !random.chance(probability)) return null;
  const item = random.pick(purchase.items);
  const amounts = negated(amountsOf(purchase, item.saleCents));
  const createdSeconds = Math.max(purchase.steps[0].atSeconds + 1, purchase.eventSeconds + random.int(3, 25) * secondsPerDay + random.int(0, secondsPerDay));
  const later = purchase.steps.filter((step) => step.atSeconds > createdSeconds && step.status !== 'pending');
  const events = [{ status: 'pending' as const, atSeconds: createdSeconds }, ...later].map((step) => ({ ...step, amounts }));
  return buildRecord(random, purchase, ids, { role: 'return', pattern, sku: item.sku, events });
}

/** Each item record changes status a little apart from its siblings, as Wildfire's batches do. */
function jittered(random: SeededRandom, steps: StatusStep[]): StatusStep[] {
  return steps.map((step) => ({ ...step, atSeconds: step.atSeconds + random.int(0, 600) }));
}

interface RecordPlan {
  role: CommissionRole;
  pattern: ReportingPattern;
  sku: string;
  events: TimelineEvent[];
}

function buildRecord(random: SeededRandom, purchase: Purchase, ids: { next: number }, plan: RecordPlan): SimulatedCommission {
  ids.next += random.int(1, 7);
  const versions = versionsOf(random, plan.events);
  const firstModified = versions[0].modified;
  // Usually created == first modified; sometimes Wildfire stored it hours before the first change.
  const created = random.chance(0.3) ? timestampAt(random, Math.floor(firstModified.micros / microsPerSecond) - random.int(60, 20 * 3_600)) : firstModified;
  return {
    commissionId: ids.next,
    applicationId: purchase.application.applicationId,
    currency: purchase.application.currency,
    saleCurrency: purchase.saleCurrency,
    merchantId: purchase.merchant.merchantId,
    deviceId: purchase.user.deviceId,
    aui: purchase.user.aui,
    pattern: plan.pattern,
    role: plan.role,
    eventDate: { micros: purchase.eventSeconds * microsPerSecond, fractionDigits: 0 },
    lockingDate: purchase.lockingDate,
    created,
    merchantOrderId: purchase.merchantOrderId,
    merchantSku: plan.sku,
    amountFractionDigitsMin: purchase.merchant.amountFractionDigitsMin,
    versions,
  };
}

/** Sorted, at least one whole second apart, so the sub-second fractions can never reorder them. */
function versionsOf(random: SeededRandom, events: TimelineEvent[]): CommissionVersion[] {
  const sorted = [...events].sort((left, right) => left.atSeconds - right.atSeconds);
  let previousSeconds = Number.NEGATIVE_INFINITY;
  return sorted.map((event, index) => {
    const atSeconds = Math.max(event.atSeconds, previousSeconds + 1);
    previousSeconds = atSeconds;
    return { index, status: event.status, ...event.amounts, modified: timestampAt(random, atSeconds) };
  });
}

/**
 * A time within the given second with 4, 5 or 6 fractional digits, the last one non-zero, so
 * that rendering it trimmed (as Wildfire does) shows exactly that many digits.
 */
function timestampAt(random: SeededRandom, wholeSeconds: number): WireTimestamp {
  const fractionDigits = random.int(4, 6);
  const step = 10 ** (6 - fractionDigits);
  const leading = random.int(0, 10 ** (fractionDigits - 1) - 1);
  const fraction = (leading * 10 + random.int(1, 9)) * step;
  return { micros: wholeSeconds * microsPerSecond + fraction, fractionDigits };
}
