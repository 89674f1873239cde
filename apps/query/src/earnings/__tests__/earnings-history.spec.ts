import { earningsSeries, evenlySpacedMoments } from '../earnings-history';

describe('earningsSeries: the figures as of each moment, shaped per unit', () => {
  const day = (n: number) => `2024-03-0${n}T00:00:00.000000Z`;

  it('answers one series per unit, sorted, with every moment, zero before a unit had anything', () => {
    const rows = [
      { at: day(2), unit: 'credits', lifetime: '100', paidOut: '0' },
      { at: day(1), unit: 'USD', lifetime: '1', paidOut: '0' },
      { at: day(2), unit: 'USD', lifetime: '1', paidOut: '0.5' },
    ];
    expect(earningsSeries(rows, [day(1), day(2)])).toEqual([
      { unit: 'USD', points: [{ at: day(1), lifetime: '1', paidOut: '0' }, { at: day(2), lifetime: '1', paidOut: '0.5' }] },
      { unit: 'credits', points: [{ at: day(1), lifetime: '0', paidOut: '0' }, { at: day(2), lifetime: '100', paidOut: '0' }] },
    ]);
    expect(earningsSeries([], [day(1), day(2)])).toEqual([]);
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
