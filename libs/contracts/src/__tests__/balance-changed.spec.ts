import { BalanceChanged } from '../balance-changed';
import { assertBalanceChanged, checkBalanceChanged, parseBalanceChanged } from '../validation';

const valid: BalanceChanged = {
  type: 'BalanceChanged', schemaVersion: 1, aui: 'user-1', unit: 'USD', sequence: '42',
  lifetime: '12.345678901234567890123456', pending: '-1.5', available: '3', paidOut: '0', paidByNetwork: '0', reserved: '10',
  pendingReversals: '-0.25', causedBy: ['wildfire:1:2026-01-01T00:00:00.000000Z', 'payout-7'], changedAt: '2026-01-01T00:00:00.123456Z',
};

describe('the BalanceChanged schema', () => {
  it('accepts what the projector writes, and an event of an earlier release without pendingReversals', () => {
    expect(checkBalanceChanged(valid)).toEqual({ ok: true, value: valid });
    const { pendingReversals: _omitted, ...earlier } = valid;
    expect(checkBalanceChanged(earlier).ok).toBe(true);
    expect(parseBalanceChanged(Buffer.from(JSON.stringify(valid)))).toEqual({ ok: true, value: valid });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an amount as a JSON number', { available: 3 }],
    ['an amount with an exponent', { lifetime: '1e3' }],
    ['a sequence that is not a positive integer', { sequence: '0' }],
    ['a missing AUI', { aui: undefined }],
    ['an AUI with a NUL', { aui: 'user\u0000' }],
    ['a time without a zone', { changedAt: '2026-01-01T00:00:00' }],
    ['an unknown field', { balance: '1' }],
    ['another type', { type: 'PayoutExecuted' }],
  ])('refuses %s, naming the field', (_name, change) => {
    const checked = checkBalanceChanged(JSON.parse(JSON.stringify({ ...valid, ...change })));
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason.length).toBeGreaterThan(0);
  });

  it('parsing never throws: not JSON and an empty value are reasons', () => {
    expect(parseBalanceChanged('{')).toMatchObject({ ok: false });
    expect(parseBalanceChanged(null)).toEqual({ ok: false, reason: 'empty message value' });
  });

  it('the producer side throws on an event the ledger built wrongly (a programmer error)', () => {
    expect(() => assertBalanceChanged({ ...valid, available: 'NaN' })).toThrow(/breaks its schema: \/available/);
    expect(() => assertBalanceChanged(valid)).not.toThrow();
  });
});
