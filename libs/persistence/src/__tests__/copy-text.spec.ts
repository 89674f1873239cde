import { copyTextRow, parseCopyTextRow } from '../copy-text';

describe('COPY text format', () => {
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
