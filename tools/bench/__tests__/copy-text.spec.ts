import { copyTextField, copyTextRow } from '../copy-text';

describe('COPY text format', () => {
  it.each([
    ['plain text', 'wildfire', 'wildfire'],
    ['a backslash', 'a\\b', 'a\\\\b'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['a newline', 'a\nb', 'a\\nb'],
    ['a carriage return', 'a\rb', 'a\\rb'],
    ['a backslash before an n (not a newline)', 'a\\nb', 'a\\\\nb'],
    ['the end-of-data marker', '\\.', '\\\\.'],
    ['NULL', null, '\\N'],
    ['the text "\\N" (not NULL)', '\\N', '\\\\N'],
    ['true', true, 't'],
    ['false', false, 'f'],
    ['an integer', 42, '42'],
    ['a bigint', 9_007_199_254_740_993n, '9007199254740993'],
    ['a decimal string', '12.34567', '12.34567'],
  ])('writes %s as COPY text format wants it', (_name, value, expected) => {
    expect(copyTextField(value)).toBe(expected);
  });

  it('separates fields by tabs and ends the row with a newline', () => {
    expect(copyTextRow(['a\tb', null, 3, false])).toBe('a\\tb\t\\N\t3\tf\n');
  });
});
