import { compareDecimals, formatAmount, isCurrency, percentOf, sumDecimals } from '../money';

describe('money on the page: exact decimal strings', () => {
  it('sums decimal strings exactly, where floats would not', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['1.10001', '-0.75', '2.5'])).toBe('2.85001');
    expect(sumDecimals(['-1.5', '0.25'])).toBe('-1.25');
    expect(sumDecimals([])).toBe('0');
  });

  it('compares and takes a floored percentage without a float', () => {
    expect(compareDecimals('10', '9.99999')).toBe(1);
    expect(compareDecimals('-0.5', '0')).toBe(-1);
    expect(percentOf('1.625', '10')).toBe(16);
    expect(percentOf('12', '10')).toBe(100);
    expect(percentOf('-3', '10')).toBe(0);
  });

  it('formats currencies to two digits, half-even, and reward units with their name', () => {
    expect(formatAmount('4.02346', 'USD', 'en-US')).toBe('$4.02');
    expect(formatAmount('0.125', 'USD', 'en-US')).toBe('$0.12');
    expect(formatAmount('12345678901234567.895', 'USD', 'en-US')).toBe('$12,345,678,901,234,567.90');
    expect(formatAmount('150', 'credits', 'en-US')).toBe('150 credits');
    expect([isCurrency('EUR'), isCurrency('credits')]).toEqual([true, false]);
  });
});
