import { serviceNameOf, startTracingFromEnvironment } from '../start-from-environment';

describe('tracing from the environment', () => {
  it('does nothing without OTEL_EXPORTER_OTLP_ENDPOINT (the default: no SDK loaded, nothing patched)', () => {
    expect(startTracingFromEnvironment({})).toBeNull();
    expect(startTracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeNull();
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => startTracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });

  it("names the service after the app's folder", () => {
    expect(serviceNameOf('/app/dist/apps/ledger-projector/src/main.js')).toBe('ledger-projector');
    expect(serviceNameOf('/app/dist/tools/operations/operations-exporter.js')).toBe('operations-exporter');
    expect(serviceNameOf(undefined)).toBe('earnings-ledger');
  });
});
