import { Decimal } from '@earnings/domain';
import { earningsSeries, evenlySpacedMoments, HistoryPayout, HistoryVersion } from '../earnings-history';

const version = (commission: string, amount: string, modifiedDate: string, options: { rejected?: boolean; unit?: string } = {}): HistoryVersion => ({
  commissionKey: `wildfire\u0000${commission}`, unit: options.unit ?? 'USD', amount: new Decimal(amount), rejected: options.rejected ?? false, modifiedDate,
});
const payout = (amount: string, executedAt: string, returnedAt: string | null = null): HistoryPayout => ({ unit: 'USD', amount: new Decimal(amount), executedAt, returnedAt });

describe('earningsSeries: lifetime earned and paid out as of each moment', () => {
  const day = (n: number) => `2024-03-0${n}T00:00:00.000000Z`;

  it('counts each commission by its latest version at the moment, a rejection as nothing', () => {
    const versions = [version('1', '1.10001', day(1)), version('1', '1.5', day(3)), version('2', '2.25', day(2)), version('2', '2.25', day(4), { rejected: true })];
    const [usd] = earningsSeries(versions, [], [day(1), day(2), day(3), day(4), day(5)]);
    expect(usd.points.map((point) => point.lifetime)).toEqual(['1.10001', '3.35001', '3.75', '1.5', '1.5']);
  });

  it('counts a payout from its execution, and no longer once it came back', () => {
    const [usd] = earningsSeries([version('1', '20', day(1))], [payout('10', day(2)), payout('5', day(3), day(4))], [day(1), day(2), day(3), day(4)]);
    expect(usd.points.map((point) => [point.at, point.lifetime, point.paidOut])).toEqual([
      [day(1), '20', '0'], [day(2), '20', '10'], [day(3), '20', '15'], [day(4), '20', '10'],
    ]);
  });

  it('answers one series per unit, sorted, and nothing for a user with no data', () => {
    const series = earningsSeries([version('1', '100', day(1), { unit: 'credits' }), version('2', '1', day(1))], [], [day(1), day(2)]);
    expect(series.map((entry) => [entry.unit, entry.points.map((point) => point.lifetime)])).toEqual([['USD', ['1', '1']], ['credits', ['100', '100']]]);
    expect(earningsSeries([], [], [day(1), day(2)])).toEqual([]);
  });
});

describe('evenlySpacedMoments', () => {
  it('spans from and to, both included, as canonical timestamps', () => {
    expect(evenlySpacedMoments(new Date('2024-03-01T00:00:00Z'), new Date('2024-03-03T00:00:00Z'), 3)).toEqual([
      '2024-03-01T00:00:00.000000Z', '2024-03-02T00:00:00.000000Z', '2024-03-03T00:00:00.000000Z',
    ]);
  });

  it('refuses fewer than two moments', () => {
    expect(() => evenlySpacedMoments(new Date(0), new Date(1), 1)).toThrow(/at least two/);
  });
});
