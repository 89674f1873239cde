import { sampleDataVerdict } from '../sample-data';

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
