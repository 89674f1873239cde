import fc from 'fast-check';
import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { currencyProblem, displayText, identifierLengthMax, identifierProblem, readAmount, readTimestamp, visibleLiteral } from '..';

/** A valid event to vary one field of, so the schema's verdict is about that field alone. */
const validObservation: CommissionObserved = {
  type: 'CommissionObserved', schemaVersion: 1, observationId: 'wildfire:1', source: 'wildfire', channel: 'callback',
  commissionId: 'c-1', aui: 'user-1', state: 'PENDING', sourceStatus: 'pending', unit: 'USD', userAmount: '1.5',
  applicationAmount: null, paidByNetwork: false, saleAmount: null, saleCurrency: null, applicationId: null, merchantId: null,
  deviceId: null, merchantOrderId: null, merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null,
  modifiedDate: '2024-01-01T00:00:00.000000Z', deliveryId: null, apiVersion: 'v4', observedAt: '2024-01-01T00:00:01.000000Z',
};

/** Strings rich in what the rule is about: controls, surrogate halves, bidi characters, blanks, tildes and long runs. */
const trickyCharacter = fc.constantFrom('a', 'Z', '7', '-', ' ', '~', '\u0000', '\u001f', '\u007f', '\u0085', '\ud800', '\udc00', '\ud83d\ude00', '\u202e', '\u2066', '\u200f', '\u00a0', 'é');
const trickyIdentifier = fc.oneof(
  fc.array(trickyCharacter, { maxLength: 12 }).map((characters) => characters.join('')),
  fc.integer({ min: 195, max: 205 }).map((length) => 'x'.repeat(length)),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('the identifier rule', () => {
  it.each([
    ['user-1'], ['012345-6780a-bcdef0-74932'], ['a b'], ['ünïcode'], ['emoji \ud83d\ude00 ok'], ['x'.repeat(identifierLengthMax)],
  ])('accepts %j', (text) => {
    expect(identifierProblem(text, 'aui')).toBeNull();
  });

  it.each([
    ['', 'empty'], [' x ', 'whitespace'], ['x\t', 'control'], ['a\u0000b', 'control'], ['a\u0085b', 'control'],
    ['a\ud800b', 'lone surrogate'], ['a\udc00', 'lone surrogate'], ['a\u202eb', 'bidirectional'], ['a\u2067b', 'bidirectional'],
    ['x'.repeat(identifierLengthMax + 1), 'longer than 200'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(identifierProblem(text, 'id')).toContain(reason);
  });

  it('counts characters, not UTF-16 units: 200 emoji are 200 characters', () => {
    expect(identifierProblem('\ud83d\ude00'.repeat(200), 'id')).toBeNull();
    expect(identifierProblem('\ud83d\ude00'.repeat(201), 'id')).toContain('longer than');
  });

  it('refuses "~" at the start of an AUI only: the ledger\'s own owners begin with it', () => {
    expect(identifierProblem('~unattributed', 'aui')).toContain('reserves');
    expect(identifierProblem('~unattributed', 'id')).toBeNull();
  });

  it('never repeats the value in its reason', () => {
    fc.assert(fc.property(trickyIdentifier, (text) => {
      const problem = identifierProblem(text, 'aui');
      if (problem !== null && text.length > 3) expect(problem).not.toContain(text);
    }));
  });

  it('agrees with the event schema on every string: what an edge accepts, a consumer accepts, and the reverse', () => {
    fc.assert(
      fc.property(trickyIdentifier, (text) => {
        const edge = identifierProblem(text, 'id') === null;
        expect({ text, schema: checkCommissionObserved({ ...validObservation, aui: text }).ok }).toEqual({ text, schema: edge });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the amount rule', () => {
  it.each([['0'], ['-2.616'], ['+3'], ['1.25000'], ['999999999999999999.999999999999']])('accepts %j', (text) => {
    expect(readAmount(text).ok).toBe(true);
  });

  it.each([
    ['1E400', 'no exponent'], ['1e3', 'no exponent'], ['1'.repeat(200), 'more than 18 digits before'], ['1'.repeat(19), 'more than 18 digits before'],
    ['0.' + '1'.repeat(13), 'more than 12 digits after'], ['', 'not a decimal'], [' 1', 'not a decimal'], ['NaN', 'not a decimal'],
    ['Infinity', 'not a decimal'], ['1,5', 'not a decimal'], ['.5', 'not a decimal'], ['0x10', 'not a decimal'],
  ])('refuses %j', (text, reason) => {
    const reading = readAmount(text);
    expect(reading.ok ? 'accepted' : reading.problem).toContain(reason);
  });

  it('reads every accepted amount exactly, and the event schema accepts it as written', () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    fc.assert(fc.property(fc.boolean(), digits(1, 18), fc.option(digits(1, 12)), (negative, integer, fraction) => {
      const text = `${negative ? '-' : ''}${integer}${fraction === null ? '' : `.${fraction}`}`;
      const reading = readAmount(text);
      if (!reading.ok) throw new Error(reading.problem);
      expect(reading.amount.toFixed(fraction?.length ?? 0)).toBe(text.replace(/^(-?)0+(?=\d)/, '$1').replace(/^-(0(\.0+)?)$/, '$1'));
      expect(checkCommissionObserved({ ...validObservation, userAmount: text }).ok).toBe(true);
    }));
  });

  it('is matched by the event schema, which refuses amounts beyond the bound', () => {
    expect(checkCommissionObserved({ ...validObservation, userAmount: '1'.repeat(19) }).ok).toBe(false);
    expect(checkCommissionObserved({ ...validObservation, userAmount: '1E400' }).ok).toBe(false);
  });
});

describe('the timestamp rule', () => {
  it.each([
    ['2023-03-07T02:57:58.5251Z', '2023-03-07T02:57:58.525100Z'],
    ['2023-03-04T23:04:00+02:00', '2023-03-04T21:04:00.000000Z'],
    ['2023-03-04T23:04:00.123456789-23:59', '2023-03-05T23:03:00.123456Z'],
    ['2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000000Z'],
    ['2100-12-31T23:59:59.999999Z', '2100-12-31T23:59:59.999999Z'],
  ])('accepts %j as %j', (text, canonical) => {
    expect(readTimestamp(text)).toMatchObject({ ok: true, timestamp: canonical });
  });

  it.each([
    ['2023-03-07T02:57:58+99:99', 'offset'], ['2023-03-07T02:57:58+24:00', 'offset'], ['2023-03-07T02:57:58-00:60', 'offset'],
    ['2023-03-07T02:57:58', 'RFC 3339'], ['2023-03-07 02:57:58Z', 'RFC 3339'], ['2023-03-07T02:57:58+0200', 'RFC 3339'],
    ['2023-03-07T02:57:58+02', 'RFC 3339'], [' 2023-03-07T02:57:58Z', 'RFC 3339'], ['2023-02-29T00:00:00Z', 'calendar'],
    ['9999-12-31T23:59:59Z', '2000 to 2100'], ['9999-12-31T23:59:59-23:59', '2000 to 2100'], ['0000-01-01T00:00:00+23:59', '2000 to 2100'],
    ['0001-01-01T00:00:00Z', '2000 to 2100'], ['1999-12-31T23:59:59Z', '2000 to 2100'], ['2000-01-01T00:30:00+01:00', '2000 to 2100'],
    ['2101-01-01T00:00:00Z', '2000 to 2100'],
  ])('refuses %j', (text, reason) => {
    const reading = readTimestamp(text);
    expect(reading.ok ? 'accepted' : reading.problem).toContain(reason);
  });

  it('never throws, whatever the text: a bad date is a 400, not a 500', () => {
    const part = (digits: number) => fc.integer({ min: 0, max: 10 ** digits - 1 }).map((value) => String(value).padStart(digits, '0'));
    const offset = fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), part(2), part(2)).map(([sign, hours, minutes]) => `${sign}${hours}:${minutes}`));
    const candidate = fc.tuple(part(4), part(2), part(2), part(2), part(2), part(2), offset).map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
    fc.assert(fc.property(fc.oneof(candidate, fc.string()), (text) => {
      const reading = readTimestamp(text);
      if (reading.ok) expect(checkCommissionObserved({ ...validObservation, eventDate: reading.timestamp }).ok).toBe(true);
    }), { numRuns: 3_000 });
  });
});

describe('the currency rule', () => {
  it('accepts three letters in any case and refuses anything else, the empty string included', () => {
    expect(currencyProblem('usd')).toBeNull();
    for (const text of ['', ' USD', 'US', 'USDT', 'U$D']) expect(currencyProblem(text)).not.toBeNull();
  });
});

describe('display text: partner metadata cleaned, never refused', () => {
  it.each([
    ['15406898 ', '15406898', ['trimmed']],
    ['\u200e1234582725', '1234582725', ['removed-characters']],
    ['order\u0000-1', 'order-1', ['removed-characters']],
    [' \u202e ', null, ['removed-characters', 'trimmed']],
    ['ok', 'ok', []],
    ['x'.repeat(250), 'x'.repeat(identifierLengthMax), ['shortened']],
    [`${'x'.repeat(199)} yz`, 'x'.repeat(199), ['shortened']],
  ] as [string, string | null, string[]][])('cleans %j to %j', (raw, text, changes) => {
    expect(displayText(raw)).toEqual({ text, changes });
  });

  it('always gives text the event schema accepts as an identifier, and is idempotent', () => {
    fc.assert(fc.property(fc.oneof(trickyIdentifier, fc.string({ unit: 'binary', maxLength: 300 })), (raw) => {
      const { text } = displayText(raw);
      if (text === null) return;
      expect(identifierProblem(text, 'id')).toBeNull();
      expect(checkCommissionObserved({ ...validObservation, merchantOrderId: text }).ok).toBe(true);
      expect(displayText(text)).toEqual({ text, changes: [] });
    }), { numRuns: 2_000 });
  });
});

describe('a tracking code as sent, kept for support', () => {
  it('is a literal that gives a code of up to 200 characters back exactly, and that the event schema accepts', () => {
    fc.assert(fc.property(fc.oneof(trickyIdentifier, fc.string({ unit: 'binary', maxLength: 200 })), (code) => {
      const literal = visibleLiteral(code);
      if (Array.from(code).length <= 200) expect(JSON.parse(literal)).toBe(code);
      else expect(literal).toMatch(/… \(\d+ characters in all\)$/);
      expect(checkCommissionObserved({ ...validObservation, aui: '~unattributed', trackingCodeAsSent: literal }).ok).toBe(true);
    }), { numRuns: 2_000 });
  });

  it('shows invisible characters as escapes and says how long a cut code was', () => {
    expect(visibleLiteral(' a\u00a0b\u200e ')).toBe('" a\\u00a0b\\u200e "');
    expect(visibleLiteral('\u0085'.repeat(1_000))).toBe(`"${'\\u0085'.repeat(200)}"… (1000 characters in all)`);
    expect(checkCommissionObserved({ ...validObservation, trackingCodeAsSent: visibleLiteral('\u0085'.repeat(1_000)) }).ok).toBe(true);
  });
});
