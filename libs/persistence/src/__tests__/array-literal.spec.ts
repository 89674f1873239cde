import { arrayLiteral } from '../array-literal';

describe('arrayLiteral', () => {
  it('quotes text, escapes quotes and backslashes, and writes NULL, booleans and numbers as PostgreSQL reads them', () => {
    expect(arrayLiteral(['plain', 'say "hi"', 'back\\slash', 'NULL', '', null, undefined])).toBe('{"plain","say \\"hi\\"","back\\\\slash","NULL","",NULL,NULL}');
    expect(arrayLiteral([true, false, 3, 12345678901234567890n])).toBe('{t,f,3,12345678901234567890}');
    expect(arrayLiteral([])).toBe('{}');
  });
});

