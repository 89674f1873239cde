import { sampleDataVerdict, samplePayee } from '../sample-data';

describe('sampleDataVerdict', () => {
  it('is ready when ingest accepted every sample callback', () => {
    expect(sampleDataVerdict({ sent: 634, dropped: 0, failed: 0, statusCounts: { '200': 600, '202': 34 } })).toEqual({ ok: true, summary: '634 sample callbacks accepted (200: 600, 202: 34)' });
  });

  it('is not ready when ingest refused them, and names the key variables on 401', () => {
    const verdict = sampleDataVerdict({ sent: 634, dropped: 0, failed: 634, statusCounts: { '401': 634 } });
    expect(verdict).toEqual({ ok: false, problem: expect.stringContaining('ingest refused 634 of 634 sample callbacks (401: 634)') });
    expect(verdict.ok ? '' : verdict.problem).toMatch(/WILDFIRE_CALLBACK_KEYS/);
  });

  it('is not ready when the simulator answered something else', () => {
    expect(sampleDataVerdict({ error: 'bad-request', message: 'no url' })).toEqual({ ok: false, problem: expect.stringContaining('did not send') });
  });
});

describe('samplePayee', () => {
  const balances = [
    { aui: 'sim-user-0001', unit: 'USD', available: '9.99999' },
    { aui: 'sim-user-0002', unit: 'EUR', available: '12.5' },
    { aui: 'sim-user-0003', unit: 'USD', available: '31.04' },
    { aui: 'sim-user-0004', unit: 'credits', available: '900' },
    { aui: 'sim-user-0005', unit: 'CAD', available: '80' },
  ];

  it('pays the user with the most available money in a currency whose threshold it reaches', () => {
    expect(samplePayee(balances, 'USD:10,EUR:10,GBP:10')).toEqual({ aui: 'sim-user-0003', unit: 'USD', available: '31.04' });
    expect(samplePayee(balances, 'USD:50,EUR:10')).toEqual({ aui: 'sim-user-0002', unit: 'EUR', available: '12.5' });
  });

  it('pays nobody when nobody reaches a threshold, and never a reward unit or an unlisted currency', () => {
    expect(samplePayee(balances, 'USD:100,EUR:100')).toBeNull();
    expect(samplePayee([{ aui: 'u', unit: 'credits', available: '900' }], 'credits:100')).toBeNull();
  });
});
