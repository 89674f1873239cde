import { SequenceFilter } from '../balance-changes.consumer';

describe('SequenceFilter', () => {
  it('passes a newer sequence per AUI and drops repeated or older ones', () => {
    const filter = new SequenceFilter();
    expect([filter.isNewer('a', 1n), filter.isNewer('a', 1n), filter.isNewer('a', 3n), filter.isNewer('a', 2n), filter.isNewer('b', 1n)]).toEqual([true, false, true, false, true]);
  });

  it('stays bounded: when full it forgets, letting an old sequence through rather than growing', () => {
    const filter = new SequenceFilter(2);
    filter.isNewer('a', 5n);
    filter.isNewer('b', 5n);
    expect(filter.isNewer('c', 1n)).toBe(true);
    expect(filter.isNewer('a', 4n)).toBe(true);
  });
});
