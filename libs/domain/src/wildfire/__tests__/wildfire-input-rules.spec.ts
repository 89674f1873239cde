import fc from 'fast-check';
import { checkCommissionObserved } from '@earnings/contracts';
import { baseContext, normaliseBody, v4Body } from './wildfire-test-support';

/**
 * Issue 17: whatever a signed callback holds, the normaliser answers either a refusal naming a
 * field (400 at the edge) or an observation the event schema accepts; never an exception (500)
 * and never an event the projector would have to dead-letter. Issue 24: only the money's own
 * fields (ids, amounts, currencies, status, dates) may refuse.
 */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.constantFrom('a', '1', ' ', '~', ',', '.', '-', '+', ':', 'T', 'Z', 'E', '\u0000', '\ud800', '\udfff', '\u202e', '\u2066', '\u0085'), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.constantFrom('1E400', '9'.repeat(200), '', ' ', '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00+23:59', '2023-03-07T02:57:58+99:99', '0001-01-01T00:00:00Z'),
  fc.integer().map(String),
);
const hostileValue = fc.oneof(hostileText, fc.integer(), fc.double(), fc.constant(null), fc.boolean());

const fields = ['commissionid', 'trackingcode', 'merchantorderid', 'merchantsku', 'merchantid', 'deviceid', 'applicationid', 'status', 'modifieddate', 'eventdate', 'lockingdate', 'createddate'] as const;

describe('a Wildfire callback with hostile field values', () => {
  it('is refused with the field named, or becomes an observation the event schema accepts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostileValue, fc.constantFrom('amount', 'currency'), hostileValue, (field, value, amountField, amountValue) => {
        const amounts = [{ amount: '2.88475', currency: 'usd', splitpart: 'application', [amountField]: amountValue }];
        const result = normaliseBody(v4Body({ [field]: value, amounts }), baseContext);
        if (result.kind === 'invalid') expect(result.field).toMatch(/^Payload\./);
        else if (result.kind === 'commission') expect(checkCommissionObserved(result.observation).ok).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('books the money whatever the metadata and the envelope ID hold (issue 24): only the money\'s own fields refuse', () => {
    const metadataFields = ['trackingcode', 'merchantorderid', 'merchantsku', 'merchantid', 'deviceid', 'applicationid', 'saleamount'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...metadataFields), hostileValue, hostileText, (field, value, id) => {
        const result = normaliseBody(v4Body({ [field]: value }, { id }), baseContext);
        if (result.kind !== 'commission') throw new Error(`refused: ${JSON.stringify(result)}`);
        expect(checkCommissionObserved(result.observation).ok).toBe(true);
        expect(result.observation).toMatchObject({ commissionId: '775109', userAmount: '5.7695', state: 'PAYABLE' });
      }),
      { numRuns: 3_000 },
    );
  });
});
