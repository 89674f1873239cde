import { simulatorEnvironment } from '../simulator-options';

/** Issue 17, finding 10: with custom WILDFIRE_CALLBACK_KEYS the sample callbacks were signed with another key and all refused. */
describe('the key the simulator signs callbacks with', () => {
  it('is the first of WILDFIRE_CALLBACK_KEYS, the keys ingest verifies with, when WILDFIRE_CALLBACK_KEY is unset', () => {
    expect(simulatorEnvironment({ WILDFIRE_CALLBACK_KEYS: ' custom-key , previous-key' }).options.callbackKey).toBe('custom-key');
  });

  it('is WILDFIRE_CALLBACK_KEY when set', () => {
    expect(simulatorEnvironment({ WILDFIRE_CALLBACK_KEYS: 'custom-key', WILDFIRE_CALLBACK_KEY: 'own-key' }).options.callbackKey).toBe('own-key');
  });

  it('is the development key when neither is set', () => {
    expect(simulatorEnvironment({}).options.callbackKey).toBe('dev-callback-key');
  });
});
