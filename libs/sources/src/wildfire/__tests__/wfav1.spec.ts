import { createHmac } from 'node:crypto';
import { verifyWfav1, wfav1Headers, Wfav1Credentials } from '../wfav1';

const credentials: Wfav1Credentials = { appId: 'app-42', appSecret: 'top-secret', deviceToken: 'device-token-1', senderToken: 'sender-token-9' };
const now = new Date('2024-05-06T07:08:09.123Z');
const skewMsMax = 5 * 60_000;

describe('wfav1Headers', () => {
  it('signs "{datetime}\\n{device}\\n{sender}\\n" with the app secret, as documented', () => {
    const headers = wfav1Headers({ ...credentials, now });
    const expected = createHmac('sha256', 'top-secret').update('2024-05-06T07:08:09.123Z\ndevice-token-1\nsender-token-9\n').digest('hex');
    expect(headers).toEqual({
      Authorization: `WFAV1 app-42:${expected}:device-token-1:sender-token-9`,
      'X-WF-DateTime': '2024-05-06T07:08:09.123Z',
    });
  });

  it('keeps an empty sender token as an empty field and an empty signed line', () => {
    const headers = wfav1Headers({ ...credentials, senderToken: '', now });
    const expected = createHmac('sha256', 'top-secret').update('2024-05-06T07:08:09.123Z\ndevice-token-1\n\n').digest('hex');
    expect(headers.Authorization).toBe(`WFAV1 app-42:${expected}:device-token-1:`);
  });
});

describe('verifyWfav1', () => {
  const signed = (overrides: Partial<Wfav1Credentials> = {}, at: Date = now) => {
    const headers = wfav1Headers({ ...credentials, ...overrides, now: at });
    return { authorization: headers.Authorization, 'x-wf-datetime': headers['X-WF-DateTime'] };
  };

  it('accepts headers made by wfav1Headers, in any header-name case', () => {
    expect(verifyWfav1(signed(), credentials, now, skewMsMax)).toEqual({ ok: true });
    const headers = wfav1Headers({ ...credentials, now });
    expect(verifyWfav1({ ...headers }, credentials, now, skewMsMax)).toEqual({ ok: true });
  });

  it('accepts an empty sender token when that is what the application was issued', () => {
    const withoutSender = { ...credentials, senderToken: '' };
    expect(verifyWfav1(signed({ senderToken: '' }), withoutSender, now, skewMsMax)).toEqual({ ok: true });
  });

  it.each([
    ['a wrong secret', { appSecret: 'guess' }],
    ['another app id', { appId: 'app-43' }],
    ['another device token', { deviceToken: 'device-token-2' }],
    ['another sender token', { senderToken: 'sender-token-8' }],
  ])('refuses %s', (_label, overrides) => {
    expect(verifyWfav1(signed(overrides), credentials, now, skewMsMax)).toMatchObject({ ok: false });
  });

  it('refuses a datetime header changed after signing', () => {
    const headers = { ...signed(), 'x-wf-datetime': '2024-05-06T07:08:10.123Z' };
    expect(verifyWfav1(headers, credentials, now, skewMsMax)).toMatchObject({ ok: false, reason: expect.stringContaining('do not match') });
  });

  it('refuses a signature older or newer than the allowed skew', () => {
    const old = signed({}, new Date(now.getTime() - skewMsMax - 1));
    const future = signed({}, new Date(now.getTime() + skewMsMax + 1));
    expect(verifyWfav1(old, credentials, now, skewMsMax)).toMatchObject({ ok: false, reason: expect.stringContaining('away from the server clock') });
    expect(verifyWfav1(future, credentials, now, skewMsMax)).toMatchObject({ ok: false });
    expect(verifyWfav1(signed({}, new Date(now.getTime() - skewMsMax)), credentials, now, skewMsMax)).toEqual({ ok: true });
  });

  it.each([
    ['no Authorization', { 'x-wf-datetime': now.toISOString() }],
    ['no X-WF-DateTime', { authorization: 'WFAV1 a:b:c:d' }],
    ['another scheme', { authorization: 'Bearer abc', 'x-wf-datetime': now.toISOString() }],
    ['too few fields', { authorization: `WFAV1 app-42:${'0'.repeat(64)}:device-token-1`, 'x-wf-datetime': now.toISOString() }],
    ['a signature that is not hex', { authorization: 'WFAV1 app-42:nothex:device-token-1:sender-token-9', 'x-wf-datetime': now.toISOString() }],
    ['a datetime with an offset instead of Z', { ...signed(), 'x-wf-datetime': '2024-05-06T09:08:09.123+02:00' }],
  ])('refuses %s', (_label, headers) => {
    expect(verifyWfav1(headers, credentials, now, skewMsMax)).toMatchObject({ ok: false, reason: expect.any(String) });
  });
});
