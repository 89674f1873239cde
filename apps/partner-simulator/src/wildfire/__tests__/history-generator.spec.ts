import { CommissionHistory, SimulatedCommission } from '../commission-history';
import { generateHistory, HistorySettings } from '../history-generator';
import { apiVersions, renderCommission } from '../record-shapes';
import { formatScaled, formatTimestamp, parseMicros } from '../wire-format';

const startAtMs = Date.UTC(2026, 0, 15, 13, 30, 5);
const settings: HistorySettings = { seed: 'history-spec', users: 40, commissions: 1_200, currencies: ['USD', 'EUR', 'GBP'], auiPrefix: 'sim-user-', startAtMs };
const history = generateHistory(settings);
const decimalAmount = /^-?\d+(\.\d{1,5})?$/;

function allRendered(source: CommissionHistory): Record<string, unknown>[] {
  return source.commissions.flatMap((commission) => commission.versions.flatMap((version) => apiVersions.map((apiVersion) => renderCommission(commission, version, apiVersion))));
}

function amountTexts(record: Record<string, unknown>): string[] {
  if (typeof record.Amount === 'string') return [record.Amount];
  if (record.amount !== undefined) return [(record.amount as { amount: string }).amount];
  return (record.amounts as { amount: string }[]).map((split) => split.amount);
}

describe('generateHistory', () => {
  it('gives identical histories for one seed and different ones for another', () => {
    expect(JSON.stringify(generateHistory(settings))).toBe(JSON.stringify(history));
    const other = generateHistory({ ...settings, seed: 'another-seed' });
    expect(JSON.stringify(other.commissions)).not.toBe(JSON.stringify(history.commissions));
    expect(other.merchants.map((merchant) => merchant.name)).not.toEqual(history.merchants.map((merchant) => merchant.name));
  });

  it('makes exactly the requested number of commissions, with unique ids, for the given users', () => {
    expect(history.commissions).toHaveLength(1_200);
    expect(new Set(history.commissions.map((commission) => commission.commissionId)).size).toBe(1_200);
    expect(history.auis[0]).toBe('sim-user-0001');
    expect(history.auis).toHaveLength(40);
    for (const commission of history.commissions) expect(history.auis).toContain(commission.aui);
  });

  it('renders every amount as a decimal string of at most five fractional digits, never in exponent form', () => {
    const records = allRendered(history);
    const amounts = records.flatMap(amountTexts);
    expect(amounts.length).toBeGreaterThan(3_000);
    expect(amounts.filter((amount) => !decimalAmount.test(amount))).toEqual([]);
    // Some merchants pad ("1.2500"), others trim; parsers must take both.
    expect(amounts.some((amount) => /\.\d*0$/.test(amount))).toBe(true);
    expect(amounts.some((amount) => /\.\d{5}$/.test(amount))).toBe(true);
    const sales = records.map((record) => (typeof record.SaleAmount === 'string' ? record.SaleAmount : (record.saleamount as { amount: string }).amount));
    expect(sales.filter((sale) => !/^-?\d+(\.\d{1,2})?$/.test(sale))).toEqual([]);
  });

  it('builds amounts from integers, so the decimal text is exact', () => {
    expect(formatScaled(125029, 5)).toBe('1.25029');
    expect(formatScaled(125000, 5, 4)).toBe('1.2500');
    expect(formatScaled(-261600, 5)).toBe('-2.616');
    expect(formatScaled(7, 5)).toBe('0.00007');
    expect(formatScaled(0, 5)).toBe('0');
    expect(formatScaled(10900, 2)).toBe('109');
    expect(() => formatScaled(0.5, 5)).toThrow(RangeError);
  });

  it('gives each commission strictly increasing ModifiedDates with 4 to 6 fractional digits', () => {
    const digitCounts = new Set<number>();
    const problems: string[] = [];
    for (const commission of history.commissions) {
      const texts = commission.versions.map((version) => formatTimestamp(version.modified));
      for (const text of texts) {
        const fraction = /\.(\d+)Z$/.exec(text)?.[1] ?? '';
        if (!/^\d{3,5}[1-9]$/.test(fraction)) problems.push(`${commission.commissionId}: ${text}`);
        digitCounts.add(fraction.length);
      }
      const micros = texts.map((text) => parseMicros(text) as number);
      if (micros.some((value, index) => index > 0 && value <= micros[index - 1])) problems.push(`${commission.commissionId}: not increasing ${texts.join(' ')}`);
      if (commission.versions.some((version, index) => version.index !== index)) problems.push(`${commission.commissionId}: version indexes`);
    }
    expect(problems).toEqual([]);
    expect([...digitCounts].sort()).toEqual([4, 5, 6]);
  });

  it('uses one currency per application and every configured currency', () => {
    const currencyOf = new Map<number, Set<string>>();
    for (const commission of history.commissions) {
      currencyOf.set(commission.applicationId, (currencyOf.get(commission.applicationId) ?? new Set()).add(commission.currency));
    }
    for (const currencies of currencyOf.values()) expect(currencies.size).toBe(1);
    expect(new Set(history.commissions.map((commission) => commission.currency))).toEqual(new Set(['USD', 'EUR', 'GBP']));
    expect(history.applications.map((application) => application.currency)).toEqual(['USD', 'EUR', 'GBP']);
  });

  it('covers the lifecycles and reporting patterns Wildfire merchants produce', () => {
    const statuses = (commission: SimulatedCommission) => commission.versions.map((version) => version.status);
    const has = (predicate: (commission: SimulatedCommission) => boolean) => history.commissions.some(predicate);
    expect(has((commission) => statuses(commission).join(',') === 'pending,confirmed,ready,paid')).toBe(true);
    expect(has((commission) => statuses(commission).join(',') === 'pending,ready,paid')).toBe(true);
    expect(has((commission) => statuses(commission).includes('disqualified'))).toBe(true);
    // Order level: the same CommissionID changes its amounts.
    expect(has((commission) => commission.pattern === 'order-level' && new Set(commission.versions.map((version) => version.applicationUnits)).size > 1)).toBe(true);
    // Item level and mixed: a return is a new CommissionID with negative amounts.
    for (const pattern of ['item-level', 'mixed'] as const) {
      expect(has((commission) => commission.pattern === pattern && commission.role === 'return' && commission.versions.every((version) => version.applicationUnits < 0))).toBe(true);
    }
    expect(has((commission) => commission.versions.some((version) => version.deviceUnits !== null))).toBe(true);
    expect(has((commission) => commission.lockingDate === null)).toBe(true);
  });

  it('offsets an item exactly with each item-level return, and part of the order with each mixed one', () => {
    const purchaseKey = (commission: SimulatedCommission) => `${commission.aui}|${commission.merchantId}|${commission.eventDate.micros}`;
    const returns = history.commissions.filter((commission) => commission.role === 'return');
    expect(returns.length).toBeGreaterThan(10);
    for (const returned of returns) {
      const returnedUnits = returned.versions[0].applicationUnits;
      const siblings = history.commissions.filter((commission) => commission.role !== 'return' && purchaseKey(commission) === purchaseKey(returned));
      if (returned.pattern === 'item-level') {
        expect(siblings.map((item) => item.versions[0].applicationUnits)).toContain(-returnedUnits);
      } else {
        expect(siblings).toHaveLength(1);
        expect(-returnedUnits).toBeLessThanOrEqual(siblings[0].versions[0].applicationUnits);
      }
      expect(returned.versions.every((version) => version.applicationUnits === returnedUnits)).toBe(true);
    }
  });

  it('starts the clock with part of the history still in the future', () => {
    const versions = history.commissions.flatMap((commission) => commission.versions);
    const visible = versions.filter((version) => version.modified.micros <= history.initialNowMicros);
    expect(visible.length).toBeGreaterThan(versions.length / 3);
    expect(visible.length).toBeLessThan(versions.length);
  });

  it('dates the history relative to its start: the clock starts then, the first purchases 120 days before, nothing locks years ago', () => {
    expect(formatTimestamp({ micros: history.initialNowMicros, fractionDigits: 0 })).toBe('2026-01-15T13:30:05Z');
    expect(formatTimestamp({ micros: history.baseMicros, fractionDigits: 0 })).toBe('2025-09-17T00:00:00Z');
    const later = generateHistory({ ...settings, startAtMs: startAtMs + 400 * 24 * 3_600_000 });
    expect(later.baseMicros - history.baseMicros).toBe(400 * 24 * 3_600_000_000);
    // What a user sees at the start: recent purchases still pending, older ones paid.
    const visible = history.commissions.map((commission) => ({ commission, version: [...commission.versions].reverse().find((version) => version.modified.micros <= history.initialNowMicros) }))
      .filter((entry) => entry.version !== undefined);
    const ageDays = (micros: number) => (history.initialNowMicros - micros) / 86_400_000_000;
    const recent = visible.filter((entry) => ageDays(entry.commission.eventDate.micros) < 20);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.filter((entry) => entry.version?.status === 'ready' || entry.version?.status === 'paid')).toEqual([]);
    expect(visible.some((entry) => ageDays(entry.commission.eventDate.micros) > 100 && entry.version?.status === 'paid')).toBe(true);
    expect(visible.some((entry) => entry.commission.role === 'return' && entry.version?.status === 'pending')).toBe(true);
    const lockingDates = history.commissions.map((commission) => commission.lockingDate?.micros).filter((micros): micros is number => micros !== undefined);
    expect(Math.min(...lockingDates)).toBeGreaterThan(history.baseMicros);
  });

  it('names its merchants like stores, and describes each with a logo', () => {
    const merchantIds = new Set(history.commissions.map((commission) => commission.merchantId));
    expect(history.merchants.map((merchant) => merchant.merchantId)).toEqual(expect.arrayContaining([...merchantIds]));
    expect(new Set(history.merchants.map((merchant) => merchant.name)).size).toBe(history.merchants.length);
    expect(history.merchants.every((merchant) => /^[A-Z][\w&. ]+$/.test(merchant.name) && /^[0-9a-f]{40}\.svg$/.test(merchant.logoFile))).toBe(true);
    expect(history.merchants.some((merchant) => merchant.disabled)).toBe(true);
  });

  it('refuses settings outside its limits', () => {
    expect(() => generateHistory({ ...settings, users: 0 })).toThrow(RangeError);
    expect(() => generateHistory({ ...settings, commissions: 10_000_000 })).toThrow(RangeError);
    expect(() => generateHistory({ ...settings, currencies: ['usd'] })).toThrow(RangeError);
    expect(() => generateHistory({ ...settings, currencies: ['USD', 'USD'] })).toThrow(RangeError);
  });
});

describe('AUI prefix', () => {
  it('names every user with the configured prefix, so runs sharing a cluster stay apart', () => {
    const prefixed = generateHistory({ ...settings, auiPrefix: 'run-42-' });
    expect(new Set(prefixed.commissions.map((commission) => commission.aui.slice(0, 7)))).toEqual(new Set(['run-42-']));
  });
});
