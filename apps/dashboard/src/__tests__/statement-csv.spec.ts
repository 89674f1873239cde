import { statementCsv } from '../components/statement';

describe('the statement as CSV', () => {
  it('keeps the exact decimals and quotes what CSV needs quoted', () => {
    const csv = statementCsv([
      { at: '2026-01-02T03:04:05.000006Z', kind: 'COMMISSION', amount: '2.88475', balance: '2.88475', source: 'wildfire', commissionId: '42', payoutId: null, description: 'Commission 42 became payable' },
      { at: '2026-01-03T00:00:00.000000Z', kind: 'PAYOUT_REQUESTED', amount: '-2.88', balance: '0.00475', source: null, commissionId: null, payoutId: 'p-1', description: 'Payout p-1 requested: 2.88 USD on its way to you, "soon"' },
    ], 'USD');
    expect(csv).toBe([
      'at,kind,description,amount,balance,unit,reference',
      '2026-01-02T03:04:05.000006Z,COMMISSION,Commission 42 became payable,2.88475,2.88475,USD,42',
      '2026-01-03T00:00:00.000000Z,PAYOUT_REQUESTED,"Payout p-1 requested: 2.88 USD on its way to you, ""soon""",-2.88,0.00475,USD,p-1',
      '',
    ].join('\n'));
  });
});
