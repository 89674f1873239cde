import { defaultSimulatorOptions, simulatorEnvironment } from '../simulator-options';

describe('simulatorEnvironment', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(simulatorEnvironment({})).toEqual({ port: 3010, host: '127.0.0.1', logLevel: 'info', options: defaultSimulatorOptions });
    expect(defaultSimulatorOptions).toMatchObject({ users: 50, commissions: 300, callbackKey: 'dev-callback-key', callbackUrl: null, dropFraction: 0, apiIntervalMsMin: 5_000 });
  });

  it('reads every variable', () => {
    const environment = simulatorEnvironment({
      SIMULATOR_PORT: '4010',
      SIMULATOR_SEED: 'bench-7',
      SIMULATOR_USERS: '500',
      SIMULATOR_COMMISSIONS: '20000',
      SIMULATOR_CURRENCIES: 'usd, cad',
      WILDFIRE_APP_ID: 'app',
      WILDFIRE_APP_SECRET: 'secret',
      WILDFIRE_DEVICE_TOKEN: 'device',
      WILDFIRE_SENDER_TOKEN: 'sender',
      WILDFIRE_CALLBACK_KEY: 'key',
      SIMULATOR_CALLBACK_URL: 'http://127.0.0.1:3001/callbacks/wildfire',
      SIMULATOR_DROP_FRACTION: '0.05',
      SIMULATOR_API_INTERVAL_MS_MIN: '250',
      SIMULATOR_START_AT: '2026-03-01T08:00:00Z',
    });
    expect(environment.port).toBe(4010);
    expect(environment.options).toMatchObject({
      seed: 'bench-7',
      users: 500,
      commissions: 20_000,
      currencies: ['USD', 'CAD'],
      credentials: { appId: 'app', appSecret: 'secret', deviceToken: 'device', senderToken: 'sender' },
      callbackKey: 'key',
      callbackUrl: 'http://127.0.0.1:3001/callbacks/wildfire',
      dropFraction: 0.05,
      apiIntervalMsMin: 250,
      startAtMs: Date.UTC(2026, 2, 1, 8),
    });
  });

  it('starts the history at the moment the simulator starts unless SIMULATOR_START_AT pins it, and refuses a start it cannot read', () => {
    expect(simulatorEnvironment({}).options.startAtMs).toBeNull();
    expect(() => simulatorEnvironment({ SIMULATOR_START_AT: 'yesterday' })).toThrow(/SIMULATOR_START_AT/);
  });

  it.each([
    ['SIMULATOR_USERS', '-3'],
    ['SIMULATOR_COMMISSIONS', '1e4'],
    ['SIMULATOR_DROP_FRACTION', '1.5'],
    ['SIMULATOR_API_INTERVAL_MS_MIN', 'fast'],
    ['SIMULATOR_CALLBACK_URL', 'not a url'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => simulatorEnvironment({ [name]: value })).toThrow();
  });
});
