import { ConfigError, loadConfig } from '@earnings/service-shell';
import { PayoutConfig } from '../payout.config';

describe('PAYOUT_REVIEW', () => {
  const load = (value: string) => loadConfig(PayoutConfig, { DATABASE_URL: 'postgres://localhost/earnings', PAYOUT_REVIEW: value });

  it('takes what the review policy parser reads', () => {
    for (const value of ['none', 'all', 'above:50', 'above:USD:50,EUR:45']) expect(load(value).PAYOUT_REVIEW).toBe(value);
  });

  it('refuses to start on what the parser refuses, naming the problem', () => {
    for (const [value, problem] of [['sometimes', 'not none, all'], ['above:', 'needs an amount'], ['above:USD:0', 'must be positive'], ['above:USD:5,USD:6', 'appears twice']]) {
      expect(() => load(value)).toThrow(ConfigError);
      expect(() => load(value)).toThrow(new RegExp(`PAYOUT_REVIEW: must be none, all, above:<amount> or above:<unit>:<amount>.*${problem}`));
    }
  });
});
