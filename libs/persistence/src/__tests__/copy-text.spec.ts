import { copyTextField, copyTextRow, parseCopyTextRow } from '../copy-text';

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

  it('escapes what would end a field or a row, writes NULL as \\N, and reads back what it wrote', () => {
    const values = ['plain', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', null, 'über ✓'];
    const row = copyTextRow(values);
    expect(row).toBe('plain\ttab\\there\tline\\nbreak\tcarriage\\rreturn\tback\\\\slash\t\\\\N\t\\N\tüber ✓\n');
    expect(parseCopyTextRow(row.slice(0, -1))).toEqual(values);
  });

  it('writes booleans and numbers as PostgreSQL reads them', () => {
    expect(copyTextRow([true, false, 3, 12345678901234567890n])).toBe('t\tf\t3\t12345678901234567890\n');
  });
});
