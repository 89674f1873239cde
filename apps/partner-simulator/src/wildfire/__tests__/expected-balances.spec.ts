import { buildSimulator } from '../../server';
import { SimulatedCommission } from '../commission-history';
import { balanceInputsAt, BalanceInput, expectedBalances } from '../expected-balances';
import { microsPerDay } from '../wire-format';

const input = (overrides: Partial<BalanceInput>): BalanceInput => ({ aui: 'user-a', unit: 'USD', status: 'pending', applicationAmount: '0', deviceAmount: null, ...overrides });

describe('expectedBalances', () => {
  it('applies the dashboard rules per AUI and unit, exactly', () => {
    const balances = expectedBalances([
      input({ status: 'pending', applicationAmount: '1.25029' }),
      input({ status: 'confirmed', applicationAmount: '0.1' }),
      input({ status: 'ready', applicationAmount: '0.2' }),
      input({ status: 'paid', applicationAmount: '2.616' }),
      input({ status: 'paid', applicationAmount: '-2.616' }),
      input({ status: 'paid', applicationAmount: '3.00001' }),
      input({ status: 'disqualified', applicationAmount: '9.99' }),
      // A device split is the user's amount, already paid by Wildfire once `paid`.
      input({ status: 'paid', applicationAmount: '2.88475', deviceAmount: '5.7695' }),
      input({ status: 'pending', applicationAmount: '1', deviceAmount: '2' }),
      input({ unit: 'EUR', status: 'paid', applicationAmount: '0.00001' }),
      input({ aui: 'user-b', status: 'pending', applicationAmount: '-0.6162' }),
    ]);
    expect(balances).toEqual([
      { aui: 'user-a', unit: 'EUR', lifetime: '0.00001', pending: '0', available: '0.00001', paidByNetwork: '0', commissions: 1 },
      { aui: 'user-a', unit: 'USD', lifetime: '12.3198', pending: '3.55029', available: '3.00001', paidByNetwork: '5.7695', commissions: 9 },
      { aui: 'user-b', unit: 'USD', lifetime: '-0.6162', pending: '-0.6162', available: '0', paidByNetwork: '0', commissions: 1 },
    ]);
  });

  it('applies the user share to the application amount only', () => {
    const balances = expectedBalances([input({ status: 'paid', applicationAmount: '3' }), input({ status: 'paid', applicationAmount: '1', deviceAmount: '0.7' })], '0.5');
    expect(balances[0]).toMatchObject({ lifetime: '2.2', available: '1.5', paidByNetwork: '0.7' });
  });
});

describe('balanceInputsAt', () => {
  const { state } = buildSimulator({ seed: 'balances-spec', commissions: 400, users: 20 });
  const commissions = state.history.commissions;

  it('reads the latest version visible at the horizon, and nothing not yet created', () => {
    const atStart = balanceInputsAt(commissions, state.history.initialNowMicros, 'v4');
    const atEnd = balanceInputsAt(commissions, Number.POSITIVE_INFINITY, 'v4');
    expect(atStart.length).toBeLessThan(atEnd.length);
    expect(atEnd).toHaveLength(400);
    expect(balanceInputsAt(commissions, state.history.baseMicros - microsPerDay, 'v4')).toEqual([]);
    const paidLater = atEnd.filter((entry) => entry.status === 'paid').length;
    expect(atStart.filter((entry) => entry.status === 'paid').length).toBeLessThan(paidLater);
  });

  it('sees device splits only as v4 carries them', () => {
    const withSplit = (commission: SimulatedCommission) => commission.versions[0].deviceUnits !== null;
    const splitAuis = new Set(commissions.filter(withSplit).map((commission) => commission.aui));
    expect(splitAuis.size).toBeGreaterThan(0);
    expect(balanceInputsAt(commissions, Number.POSITIVE_INFINITY, 'v4').some((entry) => entry.deviceAmount !== null)).toBe(true);
    expect(balanceInputsAt(commissions, Number.POSITIVE_INFINITY, 'v3').every((entry) => entry.deviceAmount === null)).toBe(true);
  });

  it('is the same for the same seed', () => {
    const again = buildSimulator({ seed: 'balances-spec', commissions: 400, users: 20 }).state;
    const balancesOf = (source: typeof state) => expectedBalances(balanceInputsAt(source.history.commissions, source.clockMicros, 'v4'));
    expect(balancesOf(again)).toEqual(balancesOf(state));
    const other = buildSimulator({ seed: 'another', commissions: 400, users: 20 }).state;
    expect(balancesOf(other)).not.toEqual(balancesOf(state));
  });
});
